import { describe, expect, it } from 'vitest';
import {
  calledStatus,
  checkedDay,
  componentStep,
  type LinkedComponent,
  worseDay,
} from './component-automation.js';

const c = (over: Partial<LinkedComponent> = {}): LinkedComponent => ({
  status: 'operational',
  check_status: null,
  check_status_since: null,
  automation_delay_seconds: 60,
  ...over,
});

describe('components following their checks', () => {
  it('calls for the worst status its checks report, operational when none reports', () => {
    expect(calledStatus([])).toBe('operational');
    expect(calledStatus(['ok', 'degraded'])).toBe('degraded_performance');
    expect(calledStatus(['ok', 'timeout', 'degraded'])).toBe('major_outage');
    // A check not run yet (or paused) calls for nothing.
    expect(calledStatus(['pending', 'degraded'])).toBe('degraded_performance');
  });

  it('waits the delay before a status reaches the page, and drops a wait its checks stop calling for', () => {
    const down = 'major_outage';
    const start = componentStep(c(), ['failed'], 1_000);
    expect(start).toEqual({ kind: 'wait', to: down, since: 1_000 });
    const waiting = c({ check_status: down, check_status_since: 1_000 });
    // The wait keeps its start; nothing to write until it is over.
    expect(componentStep(waiting, ['failed'], 60_999)).toEqual({ kind: 'none' });
    expect(componentStep(waiting, ['failed'], 61_000)).toEqual({ kind: 'apply', to: down });
    // A blip shorter than the delay never reaches the page.
    expect(componentStep(waiting, ['ok'], 30_000)).toEqual({ kind: 'clear' });
    expect(componentStep(c(), ['ok'], 30_000)).toEqual({ kind: 'none' });
    // No delay: applied at once.
    expect(componentStep(c({ automation_delay_seconds: 0 }), ['failed'], 5)).toEqual({
      kind: 'apply',
      to: down,
    });
  });

  it('takes the worst check’s figures for a day', () => {
    const day = Date.parse('2026-06-01T00:00:00Z');
    expect(checkedDay(day, { total: 0, degraded: 0, failed: 0, timeout: 0 })).toBeUndefined();
    const a = checkedDay(day, { total: 100, degraded: 0, failed: 1, timeout: 1 });
    const b = checkedDay(day, { total: 100, degraded: 5, failed: 2, timeout: 0 });
    expect(a).toEqual({ day: '2026-06-01', uptime: 98, total: 100, degraded: 0, down: 2 });
    if (!a || !b) throw new Error('both days ran');
    expect(worseDay(a, b)).toBe(b);
    expect(worseDay(b, a)).toBe(b);
  });
});
