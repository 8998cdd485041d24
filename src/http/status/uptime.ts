/**
 * Daily uptime of a component over the last 90 days, for the bars on the page.
 *
 * A component linked to checks shows its checks' daily rollups (the worst check's each day): the
 * share of runs that were up, a day with no runs having no data. A bar is degraded when some runs
 * were degraded and none down, a partial outage when some were down but 95% or more were up, a
 * major outage below that.
 *
 * Otherwise the figures come from incidents alone: a day since the component's start is
 * operational unless an incident that names the component was open during it. Time under a major
 * outage counts as down, under a partial outage as 30% down (Statuspage's weighting), degraded
 * performance as up. Maintenance is not downtime.
 */
import {
  type CheckedDay,
  type Component,
  type ComponentStatus,
  type StatusIncident,
  worst,
} from '../../core/status-pages.js';
import { DAYS, isMaintenance, type Snapshot } from './model.js';

export { DAYS };

const DAY_MS = 86_400_000;
const WEIGHT: Partial<Record<ComponentStatus, number>> = { major_outage: 1, partial_outage: 0.3 };

export interface UptimeDay {
  /** YYYY-MM-DD, UTC. */
  day: string;
  /** Percent up, or null before the component existed. */
  uptime: number | null;
  /** The worst status incidents gave the component that day, when any did. */
  worst: ComponentStatus | null;
  incidents: StatusIncident[];
}

/** The colour of a day of check runs. */
function checkedWorst(d: CheckedDay): ComponentStatus | null {
  if (d.down > 0) return d.uptime >= 95 ? 'partial_outage' : 'major_outage';
  return d.degraded > 0 ? 'degraded_performance' : null;
}

export function uptimeDays(s: Snapshot, c: Component): UptimeDay[] {
  const today = Math.floor(s.now / DAY_MS) * DAY_MS;
  const since = Math.floor(Date.parse(c.start_date ?? c.created_at) / DAY_MS) * DAY_MS;
  const mine = s.incidents.filter((i) => !isMaintenance(i) && c.id in i.components);
  const checked =
    c.check_ids.length > 0 ? new Map((s.checked.get(c.id) ?? []).map((d) => [d.day, d])) : undefined;
  const out: UptimeDay[] = [];
  for (let n = DAYS - 1; n >= 0; n--) {
    const start = today - n * DAY_MS;
    const end = Math.min(start + DAY_MS, s.now);
    const day = new Date(start).toISOString().slice(0, 10);
    if (checked) {
      const d = checked.get(day);
      const hit = d ? mine.filter((i) => overlaps(i, start, end, s.now)) : [];
      out.push(
        d
          ? { day, uptime: d.uptime, worst: checkedWorst(d), incidents: hit }
          : { day, uptime: null, worst: null, incidents: [] },
      );
      continue;
    }
    if (start < since || end <= start) {
      out.push({ day, uptime: null, worst: null, incidents: [] });
      continue;
    }
    let down = 0;
    const hit: StatusIncident[] = [];
    for (const i of mine) {
      const span = overlaps(i, start, end, s.now);
      if (!span) continue;
      hit.push(i);
      down += span * (WEIGHT[i.components[c.id] as ComponentStatus] ?? 0);
    }
    const uptime = Math.max(0, 100 * (1 - down / (end - start)));
    const statuses = hit.map((i) => i.components[c.id] as ComponentStatus);
    out.push({ day, uptime, worst: hit.length > 0 ? worst(statuses) : null, incidents: hit });
  }
  return out;
}

/** How long (ms) an incident was open within [start, end); 0 when not at all. */
function overlaps(i: StatusIncident, start: number, end: number, now: number): number {
  const from = Math.max(Date.parse(i.created_at), start);
  const to = Math.min(i.resolved_at ? Date.parse(i.resolved_at) : now, end);
  return Math.max(0, to - from);
}

/** The mean of the days with data, or null when there are none. */
export function overallUptime(days: UptimeDay[]): number | null {
  const known = days.filter((d) => d.uptime !== null);
  if (known.length === 0) return null;
  return known.reduce((sum, d) => sum + (d.uptime as number), 0) / known.length;
}

/** "99.97%": two decimals below 100, never rounded up to 100. */
export function percent(p: number): string {
  if (p >= 100) return '100%';
  return `${(Math.floor(p * 100) / 100).toFixed(2)}%`;
}
