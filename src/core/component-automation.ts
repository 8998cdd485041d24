/**
 * How a status-page component linked to checks follows them: the worst status its checks call
 * for wins (CHECK_COMPONENT_STATUS; operational when none reports), but only once they have
 * called for it for the component's `automation_delay_seconds`, so a blip shorter than that never
 * reaches the page. The store keeps the status waiting and since when (store/component-checks.ts);
 * this only decides.
 */
import { CHECK_COMPONENT_STATUS, type CheckedDay, type ComponentStatus, worst } from './status-pages.js';

/** A linked component as automation reads it. */
export interface LinkedComponent {
  status: ComponentStatus;
  /** The status its checks call for while the wait runs, and since when (ms); null when none waits. */
  check_status: ComponentStatus | null;
  check_status_since: number | null;
  automation_delay_seconds: number;
}

/** What to do with a linked component: nothing, drop its wait, start or move its wait, or apply a status. */
export type ComponentStep =
  | { kind: 'none' }
  | { kind: 'clear' }
  | { kind: 'wait'; to: ComponentStatus; since: number }
  | { kind: 'apply'; to: ComponentStatus };

/** The status a component's checks call for: their worst; operational when none reports (all paused or not run yet). */
export function calledStatus(checkStates: readonly string[]): ComponentStatus {
  const called = checkStates
    .map((s) => CHECK_COMPONENT_STATUS[s])
    .filter((s): s is ComponentStatus => s !== undefined);
  return called.length > 0 ? worst(called) : 'operational';
}

/** When a component's wait is over. */
export const waitOverAt = (since: number, delaySeconds: number): number => since + delaySeconds * 1000;

/**
 * The step that brings a linked component up to date with its checks at `at`: the status they
 * call for starts its wait (or keeps the wait it has), a status they stop calling for is dropped,
 * and one whose wait is over is applied.
 */
export function componentStep(c: LinkedComponent, checkStates: readonly string[], at: number): ComponentStep {
  const target = calledStatus(checkStates);
  if (target === c.status) return c.check_status !== null ? { kind: 'clear' } : { kind: 'none' };
  const since = c.check_status === target && c.check_status_since !== null ? c.check_status_since : at;
  if (waitOverAt(since, c.automation_delay_seconds) <= at) return { kind: 'apply', to: target };
  if (c.check_status !== target || c.check_status_since !== since) return { kind: 'wait', to: target, since };
  return { kind: 'none' };
}

/** The uptime a day's rollup of one check gives, or undefined for a day it never ran. */
export function checkedDay(
  startAt: number,
  r: { total: number; degraded: number; failed: number; timeout: number },
): CheckedDay | undefined {
  if (r.total === 0) return undefined;
  const down = r.failed + r.timeout;
  return {
    day: new Date(startAt).toISOString().slice(0, 10),
    uptime: (100 * (r.total - down)) / r.total,
    total: r.total,
    degraded: r.degraded,
    down,
  };
}

/** On a day with several checks, the worst check's figures (lowest uptime, then most degraded) stand for the component. */
export const worseDay = (a: CheckedDay, b: CheckedDay): CheckedDay =>
  b.uptime < a.uptime || (b.uptime === a.uptime && b.degraded > a.degraded) ? b : a;
