import { describe, expect, it } from 'vitest';
import { afterChange, afterPing, atTime, type HeartbeatState } from './heartbeat-state.js';
import { checkCron, nextExpected } from './heartbeats.js';

const t = (iso: string) => Date.parse(iso);
const at = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const fresh = (over: Partial<HeartbeatState> = {}): HeartbeatState => ({
  status: 'new',
  active: true,
  period_seconds: 3600,
  cron: null,
  time_zone: 'UTC',
  grace_seconds: 600,
  last_ping_at: null,
  last_start_at: null,
  next_expected_at: null,
  check_at: null,
  ...over,
});

describe('heartbeat states with a controlled clock', () => {
  it('goes new → up → late → down → up, each at the minute it should', () => {
    let s = fresh();
    // Nothing happens to a new heartbeat with time alone.
    expect(atTime(s, t('2026-06-01T12:00:00Z')).flip).toBeUndefined();

    const up = afterPing(s, 'success', t('2026-06-01T10:00:00Z'));
    expect(up.flip).toEqual({ from: 'new', to: 'up', reason: 'a ping arrived' });
    s = up.state;
    expect([s.status, at(s.next_expected_at), at(s.check_at)]).toEqual([
      'up',
      '2026-06-01T11:00:00.000Z',
      '2026-06-01T11:00:00.000Z',
    ]);
    expect(atTime(s, t('2026-06-01T10:59:59Z')).flip).toBeUndefined();

    const late = atTime(s, t('2026-06-01T11:00:00Z'));
    expect(late.flip).toMatchObject({ from: 'up', to: 'late' });
    s = late.state;
    expect(at(s.check_at)).toBe('2026-06-01T11:10:00.000Z');
    expect(atTime(s, t('2026-06-01T11:09:59Z')).flip).toBeUndefined();

    const down = atTime(s, t('2026-06-01T11:10:00Z'));
    expect(down.flip).toMatchObject({
      from: 'late',
      to: 'down',
      reason: 'no ping within 600 s of the expected time',
    });
    s = down.state;
    expect(s.check_at).toBeNull();
    expect(atTime(s, t('2026-06-02T00:00:00Z')).flip).toBeUndefined();

    const back = afterPing(s, 'success', t('2026-06-01T11:30:00Z'));
    expect(back.flip).toMatchObject({ from: 'down', to: 'up' });
    expect(at(back.state.next_expected_at)).toBe('2026-06-01T12:30:00.000Z');
  });

  it('goes straight from up to down when the engine looks only after the grace ran out', () => {
    const s = afterPing(fresh(), 'success', t('2026-06-01T10:00:00Z')).state;
    expect(atTime(s, t('2026-06-01T15:00:00Z')).flip).toMatchObject({ from: 'up', to: 'down' });
  });

  it('is down at once on a failure or a non-zero exit code; a start changes nothing but its time', () => {
    const up = afterPing(fresh(), 'success', t('2026-06-01T10:00:00Z')).state;
    const started = afterPing(up, 'start', t('2026-06-01T10:30:00Z'));
    expect(started.flip).toBeUndefined();
    expect([started.state.status, at(started.state.last_start_at)]).toEqual([
      'up',
      '2026-06-01T10:30:00.000Z',
    ]);
    expect(afterPing(up, 'fail', t('2026-06-01T10:31:00Z')).flip).toEqual({
      from: 'up',
      to: 'down',
      reason: 'the job reported a failure',
    });
    const exited = afterPing(up, 'fail', t('2026-06-01T10:31:00Z'), 3);
    expect(exited.flip?.reason).toBe('the job reported exit code 3');
    expect(afterPing(up, 'success', t('2026-06-01T10:31:00Z'), 0).state.status).toBe('up');
  });

  it('pauses and resumes: a paused heartbeat records pings without changing state', () => {
    const up = afterPing(fresh(), 'success', t('2026-06-01T10:00:00Z')).state;
    const paused = afterChange({ ...up, active: false });
    expect([paused.status, paused.check_at]).toEqual(['paused', null]);
    const pinged = afterPing(paused, 'success', t('2026-06-01T12:00:00Z'));
    expect([pinged.flip, pinged.state.status]).toEqual([undefined, 'paused']);
    expect(atTime(pinged.state, t('2026-06-03T00:00:00Z')).flip).toBeUndefined();
    expect(afterChange({ ...pinged.state, active: true }).status).toBe('new');
  });
});

describe('cron heartbeats across DST changes (Europe/Berlin)', () => {
  const nightly = fresh({ period_seconds: null, cron: '0 2 * * *', time_zone: 'Europe/Berlin' });

  it('expects the 02:00 run that the spring change skips when the clocks jump (03:00 CEST)', () => {
    // Saturday 28 March 02:05 CET = 01:05Z; Sunday's 02:00 does not exist: 03:00 CEST = 01:00Z.
    const s = afterPing(nightly, 'success', t('2026-03-28T01:05:00Z')).state;
    expect(at(s.next_expected_at)).toBe('2026-03-29T01:00:00.000Z');
    const next = afterPing(s, 'success', t('2026-03-29T01:02:00Z')).state;
    // Monday 02:00 CEST = 00:00Z.
    expect(at(next.next_expected_at)).toBe('2026-03-30T00:00:00.000Z');
  });

  it('expects 02:00 CET after the autumn change, an hour later in UTC', () => {
    // Saturday 24 October 02:03 CEST = 00:03Z; Sunday 02:00 happens in CEST (00:00Z) before the
    // 03:00 → 02:00 change; Monday 02:00 CET = 01:00Z.
    expect(at(nextExpected(nightly, t('2026-10-24T00:03:00Z')))).toBe('2026-10-25T00:00:00.000Z');
    expect(at(nextExpected(nightly, t('2026-10-25T00:03:00Z')))).toBe('2026-10-26T01:00:00.000Z');
  });

  it('refuses cron expressions that are invalid or never fire', () => {
    expect(() => checkCron('0 0 31 2 *', 'UTC')).toThrow(/Invalid cron expression '0 0 31 2 \*'/);
    expect(() => checkCron('every day', 'UTC')).toThrow(/Invalid cron expression/);
    expect(() => checkCron('0 2 * * *', 'Europe/Berlin')).not.toThrow();
  });
});
