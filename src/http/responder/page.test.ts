/**
 * The responder page's markup: what a sender controls (title, alert fields) is text, never
 * markup; the buttons follow the incident's status and policy.
 */
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../core/incidents.js';
import { age, type ResponderView, responderPage } from './page.js';

const NOW = Date.parse('2026-06-10T12:00:00Z');
const EVIL = `<script>alert("x")</script> O'Brien & "Co"`;

const incident = (over: Partial<Incident>): Incident => ({
  id: 'PINC1',
  type: 'incident',
  incident_number: 7,
  title: EVIL,
  summary: EVIL,
  status: 'triggered',
  urgency: 'high',
  created_at: '2026-06-10T10:55:00Z',
  updated_at: '2026-06-10T10:55:00Z',
  last_status_change_at: '2026-06-10T10:55:00Z',
  service: { id: 'PSVC', summary: 'Payments <b>API</b>' },
  escalation_policy: { id: 'PPOL', summary: 'Payments' },
  teams: [],
  assignments: [{ assignee: { id: 'PANN', summary: 'Ann' }, at: '2026-06-10T10:55:00Z' }],
  acknowledgements: [],
  alert_counts: { triggered: 1, resolved: 0, all: 1 },
  ...over,
});

const view = (over: Partial<Incident>): ResponderView => ({
  incident: incident(over),
  user: { id: 'PANN', name: 'Ann' },
  alert: {
    id: 'A1',
    status: 'triggered',
    created_at: '2026-06-10T10:55:00Z',
    body: {
      summary: EVIL,
      custom_details: { '<i>key</i>': '<img src=x onerror=alert(1)>', nested: { a: 1 } },
    },
  },
  timeline: [
    {
      id: 'L1',
      type: 'trigger_log_entry',
      created_at: '2026-06-10T10:55:00Z',
      summary: `Triggered: ${EVIL}`,
    },
  ],
  path: '/r/abc.def',
  form: '123.sig',
  now: NOW,
});

const buttons = (page: string) => [...page.matchAll(/name="action" value="(\w+)"/g)].map((m) => m[1]);

describe('the responder page', () => {
  it('shows what senders wrote as text, with no script and the form posting to its own link', () => {
    const page = responderPage(view({}));
    expect(page).not.toMatch(/<script|<img|<i>|<b>/);
    expect(page).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Brien &amp; &quot;Co&quot;',
    );
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('{&quot;a&quot;:1}');
    expect(page).toContain('<form method="post" action="/r/abc.def"');
    expect(page).toContain('<input type="hidden" name="csrf" value="123.sig">');
    expect(page).toContain('Ann (you)');
    expect(page).toContain('1 h 5 min ago');
  });

  it('offers the buttons the incident allows', () => {
    expect(buttons(responderPage(view({})))).toEqual(['acknowledge', 'resolve', 'escalate', 'snooze']);
    expect(buttons(responderPage(view({ status: 'acknowledged' })))).toEqual([
      'resolve',
      'escalate',
      'snooze',
    ]);
    expect(buttons(responderPage(view({ escalation_policy: undefined })))).toEqual([
      'acknowledge',
      'resolve',
      'snooze',
    ]);
    const resolved = responderPage(view({ status: 'resolved', resolved_at: '2026-06-10T11:30:00Z' }));
    expect(buttons(resolved)).toEqual([]);
    expect(resolved).not.toContain('<form');
    expect(resolved).toContain('This incident is resolved');
    expect([age('2026-06-10T11:59:30Z', NOW), age('2026-06-08T11:00:00Z', NOW)]).toEqual([
      'under a minute',
      '2 days',
    ]);
  });
});
