import { describe, expect, it } from 'vitest';
import { maintenanceDueAt, maintenanceMoveAt, type OpenMaintenance } from './maintenance-moves.js';

const t = (iso: string) => Date.parse(iso);
const m = (
  over: Partial<OpenMaintenance> = {},
  flags: Partial<OpenMaintenance['flags']> = {},
): OpenMaintenance => ({
  status: 'scheduled',
  scheduled_for: '2026-06-01T10:00:00Z',
  scheduled_until: '2026-06-01T12:00:00Z',
  ...over,
  flags: {
    scheduled_remind_prior: false,
    scheduled_auto_in_progress: true,
    scheduled_auto_completed: true,
    auto_transition_to_maintenance_state: true,
    auto_transition_to_operational_state: true,
    auto_transition_deliver_notifications_at_start: false,
    auto_transition_deliver_notifications_at_end: false,
    reminder_intervals: null,
    ...flags,
  },
});

describe('maintenance moves with a controlled clock', () => {
  it('goes scheduled → in progress at scheduled_for and in progress → completed at scheduled_until', () => {
    expect(maintenanceDueAt(m())).toBe(t('2026-06-01T10:00:00Z'));
    expect(maintenanceMoveAt(m(), t('2026-06-01T09:59:59Z'))).toBeUndefined();
    expect(maintenanceMoveAt(m(), t('2026-06-01T10:00:00Z'))).toBe('in_progress');
    const running = m({ status: 'in_progress' });
    expect(maintenanceDueAt(running)).toBe(t('2026-06-01T12:00:00Z'));
    expect(maintenanceMoveAt(running, t('2026-06-01T11:59:59Z'))).toBeUndefined();
    expect(maintenanceMoveAt(running, t('2026-06-01T12:00:00Z'))).toBe('completed');
    expect(maintenanceMoveAt(m({ status: 'verifying' }), t('2026-06-01T12:00:00Z'))).toBe('completed');
  });

  it('completes a window wholly past at once, without a start of its own', () => {
    expect(maintenanceMoveAt(m(), t('2026-06-01T13:00:00Z'))).toBe('completed');
    // Without auto-completion the late window still only starts.
    expect(maintenanceMoveAt(m({}, { scheduled_auto_completed: false }), t('2026-06-01T13:00:00Z'))).toBe(
      'in_progress',
    );
  });

  it('makes no move a flag turns off, nor from a closed status', () => {
    expect(maintenanceDueAt(m({}, { scheduled_auto_in_progress: false }))).toBeUndefined();
    expect(
      maintenanceDueAt(m({ status: 'in_progress' }, { scheduled_auto_completed: false })),
    ).toBeUndefined();
    expect(maintenanceMoveAt(m({ status: 'completed' }), t('2026-06-02T00:00:00Z'))).toBeUndefined();
  });
});
