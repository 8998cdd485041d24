/**
 * How a heartbeat's state moves: a ping makes it up (a failure, down) and sets when the next one
 * is expected; time makes an up heartbeat late at that moment and down once its grace has run
 * out. New and paused heartbeats wait for a ping or a resume; down ones wait for a success.
 */
import { type HeartbeatStatus, nextExpected, type PingKind } from './heartbeats.js';

export interface HeartbeatState {
  status: HeartbeatStatus;
  active: boolean;
  period_seconds: number | null;
  cron: string | null;
  time_zone: string;
  grace_seconds: number;
  last_ping_at: number | null;
  last_start_at: number | null;
  next_expected_at: number | null;
  /** When time alone changes the state next; null when it cannot. */
  check_at: number | null;
}

export interface Flip {
  from: HeartbeatStatus;
  to: HeartbeatStatus;
  reason: string;
}

const downAt = (s: HeartbeatState) => (s.next_expected_at ?? 0) + s.grace_seconds * 1000;

/** The state after a ping at `now` (exit code 0 is a success, any other a failure). */
export function afterPing(
  s: HeartbeatState,
  kind: PingKind,
  now: number,
  exitCode?: number,
): { state: HeartbeatState; flip?: Flip } {
  if (kind === 'start') return { state: { ...s, last_start_at: now } };
  const failed = kind === 'fail' || (exitCode !== undefined && exitCode !== 0);
  const next = nextExpected(s, now);
  if (!s.active) return { state: { ...s, last_ping_at: now, next_expected_at: next } };
  const status: HeartbeatStatus = failed ? 'down' : 'up';
  const state: HeartbeatState = {
    ...s,
    status,
    last_ping_at: now,
    next_expected_at: next,
    check_at: failed ? null : next,
  };
  if (status === s.status) return { state };
  const reason = failed
    ? exitCode !== undefined
      ? `the job reported exit code ${exitCode}`
      : 'the job reported a failure'
    : 'a ping arrived';
  return { state, flip: { from: s.status, to: status, reason } };
}

/** The state at `now` when no ping came: late past the expected time, down past the grace. */
export function atTime(s: HeartbeatState, now: number): { state: HeartbeatState; flip?: Flip } {
  if (!s.active || s.check_at === null || now < s.check_at || s.next_expected_at === null)
    return { state: s };
  if ((s.status === 'up' || s.status === 'late') && now >= downAt(s)) {
    return {
      state: { ...s, status: 'down', check_at: null },
      flip: {
        from: s.status,
        to: 'down',
        reason: `no ping within ${s.grace_seconds} s of the expected time`,
      },
    };
  }
  if (s.status === 'up') {
    return {
      state: { ...s, status: 'late', check_at: downAt(s) },
      flip: { from: 'up', to: 'late', reason: 'no ping at the expected time' },
    };
  }
  return { state: s };
}

/** The state after its schedule or activity changed: expectations follow the new settings. */
export function afterChange(s: HeartbeatState): HeartbeatState {
  if (!s.active) return { ...s, status: 'paused', check_at: null };
  if (s.status === 'paused' || s.last_ping_at === null) {
    return { ...s, status: s.status === 'paused' ? 'new' : s.status, next_expected_at: null, check_at: null };
  }
  if (s.status === 'down') return { ...s, next_expected_at: nextExpected(s, s.last_ping_at) };
  const next = nextExpected(s, s.last_ping_at);
  return { ...s, status: 'up', next_expected_at: next, check_at: next };
}
