/**
 * The page's 90 days. Uptime bars: a component linked to checks shows its checks' daily figures
 * (coloured by how much was down or degraded, no data on days without runs); one without checks
 * counts incidents. History: every day of the last week, then days with incidents and one line
 * per run of quiet days, back 90 days.
 */
import { describe, expect, it } from 'vitest';
import type { CheckedDay, Component, StatusIncident, StatusPage } from '../../core/status-pages.js';
import { statusPage } from './html.js';
import type { Snapshot } from './model.js';
import { uptimeDays } from './uptime.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-10T12:00:00Z');
const day = (n: number) => new Date(NOW - n * DAY).toISOString().slice(0, 10);

const component = (over: Partial<Component>): Component => ({
  id: 'C1',
  page_id: 'P1',
  name: 'API',
  description: null,
  group: false,
  group_id: null,
  only_show_if_degraded: false,
  position: 0,
  showcase: true,
  start_date: null,
  status: 'operational',
  own_status: 'operational',
  check_ids: [],
  automation_delay_seconds: 60,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  ...over,
});

function snapshot(
  components: Component[],
  checked: [string, CheckedDay[]][],
  incidents: StatusIncident[] = [],
) {
  return {
    page: {
      id: 'P1',
      name: 'Acme',
      subdomain: 'acme',
      time_zone: 'UTC',
      language: 'en',
      allow_rss_atom_feeds: true,
      hidden_from_search: false,
    } as StatusPage,
    components,
    incidents,
    checked: new Map(checked),
    now: NOW,
    url: 'http://x/status/acme',
    prefix: '/status/acme',
    query: '',
  } satisfies Snapshot;
}

const label = (n: number) =>
  new Date(NOW - n * DAY).toLocaleDateString('en-US', {
    timeZone: 'UTC',
    month: 'short',
    day: 'numeric',
    year: 'numeric',
  });

const incident = (name: string, daysAgo: number, over: Partial<StatusIncident> = {}): StatusIncident => {
  const at = new Date(NOW - daysAgo * DAY).toISOString();
  return {
    id: `I${name}`,
    page_id: 'P1',
    name,
    status: 'resolved',
    body: null,
    impact: 'minor',
    deliver_notifications: true,
    components: {},
    metadata: {},
    scheduled_for: null,
    scheduled_until: null,
    scheduled_remind_prior: false,
    scheduled_auto_in_progress: true,
    scheduled_auto_completed: true,
    auto_transition_to_maintenance_state: true,
    auto_transition_to_operational_state: true,
    auto_transition_deliver_notifications_at_start: false,
    auto_transition_deliver_notifications_at_end: false,
    reminder_intervals: null,
    created_at: at,
    updated_at: at,
    resolved_at: at,
    monitoring_at: null,
    incident_updates: [],
    ...over,
  };
};

const figures = (n: number, total: number, down: number, degraded = 0): CheckedDay => ({
  day: day(n),
  uptime: (100 * (total - down)) / total,
  total,
  degraded,
  down,
});

describe('uptime bars', () => {
  it('come from the checks for a linked component', () => {
    const c = component({ check_ids: ['K1'] });
    const s = snapshot(
      [c],
      [['C1', [figures(40, 100, 50), figures(3, 100, 1), figures(2, 100, 0, 5), figures(1, 10, 0)]]],
    );
    const days = uptimeDays(s, c);
    expect(days).toHaveLength(90);
    const by = new Map(days.map((d) => [d.day, d]));
    expect(by.get(day(40))).toMatchObject({ uptime: 50, worst: 'major_outage' });
    expect(by.get(day(3))).toMatchObject({ uptime: 99, worst: 'partial_outage' });
    expect(by.get(day(2))).toMatchObject({ uptime: 100, worst: 'degraded_performance' });
    expect(by.get(day(1))).toMatchObject({ uptime: 100, worst: null });
    // No runs that day: no data, though the component existed.
    expect(by.get(day(5))).toMatchObject({ uptime: null });

    const html = statusPage(s);
    expect(html).toContain(`<title>${label(3)}: 99.00% uptime</title>`);
    expect(html).toContain(`<title>${label(5)}: No data</title>`);
    expect(html).toMatch(/<rect class="partial_outage"[^>]*><title>/);
  });

  it('come from incidents for a component without checks', () => {
    const c = component({});
    const s = snapshot([c], [['C1', [figures(3, 100, 100)]]]);
    const by = new Map(uptimeDays(s, c).map((d) => [d.day, d]));
    expect(by.get(day(3))).toMatchObject({ uptime: 100, worst: null });
  });
});

describe('history', () => {
  it('shows the last week day by day, then incident days and quiet spans, back 90 days', () => {
    const s = snapshot(
      [],
      [],
      [
        incident('Today', 0),
        incident('Two days ago', 2),
        incident('A month ago', 30),
        incident('Upcoming', -1, {
          status: 'scheduled',
          scheduled_for: new Date(NOW + DAY).toISOString(),
          scheduled_until: new Date(NOW + DAY + 3_600_000).toISOString(),
        }),
        incident('Too old', 100),
      ],
    );
    const html = statusPage(s);
    const history = html.slice(html.indexOf('Past incidents'));
    const days = [...history.matchAll(/<h3>([^<]+)<\/h3>/g)].map((m) => m[1]);
    expect(days).toEqual([
      ...[0, 1, 2, 3, 4, 5, 6].map(label),
      `${label(29)} – ${label(7)}`,
      label(30),
      `${label(89)} – ${label(31)}`,
    ]);
    expect(history).toContain('>A month ago</a>');
    expect(history).not.toContain('Too old');
    expect(history).not.toContain('>Upcoming</a>');
  });
});
