/**
 * A check's status from its runs: healthy (ok, degraded) until `failure_threshold` failing runs
 * in a row, down (failed, timeout) until `recovery_threshold` passing runs in a row. Degraded is
 * still up: it is shown at once and needs no threshold. The first run of a new check decides.
 */
import type { CheckStatus, ResultStatus } from './checks.js';

export interface CheckState {
  status: CheckStatus;
  /** Runs in a row that disagree with `status`. */
  consecutive: number;
  failure_threshold: number;
  recovery_threshold: number;
}

export const isDown = (s: CheckStatus | ResultStatus) => s === 'failed' || s === 'timeout';

export function applyResult(
  s: CheckState,
  result: ResultStatus,
  error: string | null,
): { state: CheckState; change?: { from: CheckStatus; to: CheckStatus; reason: string } } {
  const move = (to: CheckStatus, reason: string) => ({
    state: { ...s, status: to, consecutive: 0 },
    ...(to !== s.status && { change: { from: s.status, to, reason } }),
  });
  const why = error ?? result;
  if (s.status === 'pending' || s.status === 'paused') return move(result, `first run: ${why}`);
  if (!isDown(s.status)) {
    if (!isDown(result)) return move(result, result === 'degraded' ? why : 'the check passes again');
    const consecutive = s.consecutive + 1;
    if (consecutive >= s.failure_threshold) {
      return move(result, `${consecutive} failing run(s) in a row: ${why}`);
    }
    return { state: { ...s, consecutive } };
  }
  if (isDown(result)) return move(result, why);
  const consecutive = s.consecutive + 1;
  if (consecutive >= s.recovery_threshold) return move(result, `${consecutive} passing run(s) in a row`);
  return { state: { ...s, consecutive } };
}

/** Whether a failing result should be run again before it counts: only when it would turn a healthy check. */
export function wantsRetry(s: CheckState, result: ResultStatus): boolean {
  return isDown(result) && !isDown(s.status) && s.status !== 'paused';
}
