/** Words and dates shared by the page and the feeds. */
import type { ComponentStatus, IncidentImpact, IncidentStatus } from '../../core/status-pages.js';

const STATUS_LABELS: Record<IncidentStatus, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  verifying: 'Verifying',
  completed: 'Completed',
};
export const statusLabel = (s: IncidentStatus) => STATUS_LABELS[s];

const COMPONENT_LABELS: Record<ComponentStatus, string> = {
  operational: 'Operational',
  under_maintenance: 'Under maintenance',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
};
export const componentLabel = (s: ComponentStatus) => COMPONENT_LABELS[s];

export const IMPACT_LABELS: Record<IncidentImpact, string> = {
  none: 'No impact',
  minor: 'Minor',
  major: 'Major',
  critical: 'Critical',
};

// Building an Intl.DateTimeFormat costs about a tenth of a millisecond, and a page shows 900
// days: the formatters are made once per time zone and kept.
const whenFormats = new Map<string, Intl.DateTimeFormat | null>();

function whenFormat(timeZone: string): Intl.DateTimeFormat | null {
  if (!whenFormats.has(timeZone)) {
    let format: Intl.DateTimeFormat | null;
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        month: 'short',
        day: 'numeric',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
        timeZoneName: 'short',
      });
    } catch {
      format = null;
    }
    if (whenFormats.size > 1000) whenFormats.clear();
    whenFormats.set(timeZone, format);
  }
  return whenFormats.get(timeZone) ?? null;
}

/** "Mar 3, 2026, 14:05 UTC" in the page's time zone (UTC when the zone is unknown). */
export function when(iso: string, timeZone: string): string {
  const at = new Date(iso);
  return whenFormat(timeZone)?.format(at) ?? `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const dayFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'UTC',
  month: 'short',
  day: 'numeric',
  year: 'numeric',
});

/** "Mar 3, 2026" for a day key (YYYY-MM-DD). */
export function dayLabel(day: string): string {
  return dayFormat.format(new Date(`${day}T00:00:00Z`));
}
