/**
 * The incidents toolset on the embedded provider, through a real MCP client, on SQLite and on
 * PostgreSQL: the PagerDuty seed's parameters and messages, deduplication, acknowledge and
 * resolve, notes, and the seed's bugs fixed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, openHarness } from '../../test/helpers/harness.js';
import { STORES, storeAvailable } from '../../test/helpers/stores.js';

const SEE = 'See `docs://tools` for more information.';

describe.each(STORES)('incident tools on $kind', (store) => {
  let h: Harness;
  let ann: Harness;
  let lone: Harness;
  const id: Record<string, string> = {};
  let skip = false;

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    h = await openHarness({ store: await store.open() });
    id.ann = (await h.ok('create_user', { name: 'Ann', email: 'ann@x.io' })).users[0].id;
    id.lone = (await h.ok('create_user', { name: 'Lone', email: 'lone@x.io' })).users[0].id;
    id.team = (await h.ok('create_team', { name: 'Payments', member_ids: [id.ann] })).teams[0].id;
    id.other = (await h.ok('create_team', { name: 'Other' })).teams[0].id;
    id.checkout = (await h.ok('create_service', { name: 'Checkout', team_ids: [id.team] })).services[0].id;
    id.ledger = (await h.ok('create_service', { name: 'Ledger', team_ids: [id.team] })).services[0].id;
    id.elsewhere = (await h.ok('create_service', { name: 'Elsewhere', team_ids: [id.other] })).services[0].id;
    ann = await h.as({ userEmail: 'ann@x.io' });
    lone = await h.as({ userEmail: 'lone@x.io' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('opens an incident, numbers it, and joins a second trigger with the same key', async ({ skip: s }) => {
    if (skip) s();
    const first = await ann.ok('trigger_incident', {
      service_id: id.checkout,
      title: 'Checkout 500s',
      incident_key: 'k1',
    });
    const inc = first.incidents[0];
    expect(inc).toMatchObject({
      type: 'incident',
      title: 'Checkout 500s',
      status: 'triggered',
      urgency: 'high',
      incident_key: 'k1',
      service: { id: id.checkout, summary: 'Checkout' },
      teams: [{ id: id.team, summary: 'Payments' }],
      last_status_change_by: { id: id.ann, summary: 'Ann', type: 'user_reference' },
    });
    expect(inc.incident_number).toBeGreaterThan(0);
    expect(first.metadata.description).toBe(`Opened incident ${inc.incident_number}`);
    const again = await ann.ok('trigger_incident', {
      service_id: id.checkout,
      title: 'Checkout 500s again',
      incident_key: 'k1',
    });
    expect(again.incidents[0].id).toBe(inc.id);
    expect(again.metadata.description).toMatch(/Joined open incident/);
    const other = await ann.ok('trigger_incident', {
      service_id: id.ledger,
      title: 'Ledger lag',
      urgency: 'low',
    });
    expect(other.incidents[0].incident_number).toBe(inc.incident_number + 1);
    id.checkoutIncident = inc.id;
    id.ledgerIncident = other.incidents[0].id;
  });

  it('lists the incidents of the current user’s teams with status counts', async ({ skip: s }) => {
    if (skip) s();
    await h.ok('trigger_incident', { service_id: id.elsewhere, title: 'Not ours' }).catch(() => undefined);
    const body = await ann.ok('get_incidents');
    expect(body.incidents.map((i: { title: string }) => i.title).sort()).toEqual([
      'Checkout 500s',
      'Ledger lag',
    ]);
    expect(body.metadata.status_counts).toEqual({ triggered: 2, acknowledged: 0, resolved: 0 });
    const low = await ann.ok('get_incidents', { urgencies: ['low'] });
    expect(low.incidents.map((i: { title: string }) => i.title)).toEqual(['Ledger lag']);
    const byService = await ann.ok('get_incidents', {
      current_user_context: false,
      service_ids: [id.checkout],
    });
    expect(byService.incidents).toHaveLength(1);
  });

  it('answers a user with no team with no incidents, saying why', async ({ skip: s }) => {
    if (skip) s();
    const body = await lone.ok('get_incidents');
    expect(body.incidents).toEqual([]);
    expect(body.metadata.note).toMatch(/no team/);
  });

  it('keeps the seed’s validation messages', async ({ skip: s }) => {
    if (skip) s();
    const cases: [Record<string, unknown>, string, string][] = [
      [
        { incident_id: 'PX', urgencies: ['high'] },
        `When \`incident_id\` is provided, other filters (like service_ids, team_ids, statuses, etc.) cannot be used. ${SEE}`,
        'incident_id',
      ],
      [
        { include_notes: true },
        `\`include_past_incidents\`, \`include_related_incidents\`, and \`include_notes\` can only be used when a specific \`incident_id\` is provided. ${SEE}`,
        'incident_id',
      ],
      [
        { team_ids: [id.team] },
        `Cannot specify service_ids or team_ids when current_user_context is True. ${SEE}`,
        'team_ids',
      ],
      [
        { current_user_context: false },
        `Must specify at least service_ids or team_ids when current_user_context is False. ${SEE}`,
        'service_ids',
      ],
      [
        { statuses: ['open', 'resolved'] },
        "Invalid status values: ['open']. Valid values are: ['triggered', 'acknowledged', 'resolved']",
        'statuses',
      ],
      [
        { urgencies: ['urgent'] },
        "Invalid urgency values: ['urgent']. Valid values are: ['high', 'low']",
        'urgencies',
      ],
      [
        { since: 'yesterday' },
        'Invalid ISO8601 timestamp value `yesterday` for parameter `since`. Try using a valid ISO8601 timestamp (for example `2025-02-26T00:00:00Z`).',
        'since',
      ],
      [
        { since: '2026-02-01T00:00:00Z', until: '2026-01-01T00:00:00Z' },
        '`since` must be before `until`',
        'since',
      ],
      [
        { since: '2026-01-01T00:00:00Z', until: '2026-01-01T00:00:00Z' },
        '`since` and `until` cannot be the exact same timestamp.',
        'until',
      ],
      [
        { since: '2025-01-01T00:00:00Z', until: '2026-01-01T00:00:00Z' },
        'The maximum query range is 6 months. Try narrowing your query range.',
        'until',
      ],
      [
        { incident_id: 'bad id' },
        "Invalid incident_id format: 'bad id'. Must contain only alphanumeric characters.",
        'incident_id',
      ],
    ];
    for (const [args, message, parameter] of cases) {
      const r = await ann.call('get_incidents', args);
      expect(r.body.error, JSON.stringify(args)).toEqual({
        code: 'VALIDATION_ERROR',
        message,
        details: { parameter },
      });
    }
    expect(
      (await ann.call('add_incident_note', { incident_id: id.checkoutIncident, content: '  ' })).body.error,
    ).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: 'content cannot be empty',
    });
  });

  it('filters by time, normalising zones', async ({ skip: s }) => {
    if (skip) s();
    const future = await ann.ok('get_incidents', { since: '2099-01-01T02:00:00+02:00' });
    expect(future.incidents).toEqual([]);
    const recent = await ann.ok('get_incidents', { since: new Date(Date.now() - 3600_000).toISOString() });
    expect(recent.incidents.length).toBe(2);
  });

  it('acknowledges and resolves as the current user, and refuses to act on a resolved incident', async ({
    skip: s,
  }) => {
    if (skip) s();
    const acked = (await ann.ok('acknowledge_incident', { incident_id: id.checkoutIncident })).incidents[0];
    expect(acked.status).toBe('acknowledged');
    expect(acked.acknowledgements).toEqual([
      { acknowledger: { id: id.ann, summary: 'Ann' }, at: expect.any(String) },
    ]);
    const note = await ann.ok('add_incident_note', {
      incident_id: id.checkoutIncident,
      content: "I'm on it",
    });
    expect(note.notes[0]).toMatchObject({
      content: "I'm on it",
      user: { id: id.ann, name: 'Ann' },
      channel: { summary: 'mcp' },
    });
    const resolved = (await ann.ok('resolve_incident', { incident_id: id.checkoutIncident })).incidents[0];
    expect(resolved).toMatchObject({ status: 'resolved', resolved_at: expect.any(String) });
    const again = await ann.call('acknowledge_incident', { incident_id: id.checkoutIncident });
    expect(again.body.error).toMatchObject({ code: 'CONFLICT', details: { parameter: 'incident_id' } });
    expect((await ann.call('resolve_incident', { incident_id: 'PNOPE' })).body.error).toMatchObject({
      code: 'NOT_FOUND',
      details: { parameter: 'incident_id' },
    });
    expect((await h.call('acknowledge_incident', { incident_id: id.ledgerIncident })).body.error.code).toBe(
      'UNAUTHORIZED',
    );
    const reopened = await ann.ok('trigger_incident', {
      service_id: id.checkout,
      title: 'Checkout 500s',
      incident_key: 'k1',
    });
    expect(reopened.incidents[0].id).not.toBe(id.checkoutIncident);
    id.reopened = reopened.incidents[0].id;
  });

  it('gets one by id or number with notes, past and related incidents', async ({ skip: s }) => {
    if (skip) s();
    const byNumber = (await ann.ok('get_incidents', { incident_id: id.checkoutIncident })).incidents[0];
    const body = await ann.ok('get_incidents', {
      incident_id: String(byNumber.incident_number),
      include_notes: true,
      include_past_incidents: true,
      include_related_incidents: true,
      include: ['id', 'title'],
    });
    const inc = body.incidents[0];
    expect(Object.keys(inc).sort()).toEqual(['id', 'notes', 'past_incidents', 'related_incidents', 'title']);
    expect(inc.notes.map((n: { content: string }) => n.content)).toEqual(["I'm on it"]);
    expect(body.metadata).toMatchObject({ notes_count: 1 });
    const reopened = await ann.ok('get_incidents', {
      incident_id: id.reopened,
      include_past_incidents: true,
    });
    expect(reopened.incidents[0].past_incidents).toEqual([
      expect.objectContaining({ id: id.checkoutIncident, similarity_score: 1 }),
    ]);
    const ledger = await ann.ok('get_incidents', {
      incident_id: id.ledgerIncident,
      include_related_incidents: true,
    });
    expect(ledger.incidents[0].related_incidents.map((r: { id: string }) => r.id)).toContain(id.reopened);
  });

  it('tells the whole story in the timeline, oldest first, with actors', async ({ skip: s }) => {
    if (skip) s();
    const body = await ann.ok('get_incident_timeline', { incident_id: id.checkoutIncident });
    expect(body.log_entries.map((e: { type: string }) => e.type)).toEqual([
      'trigger_log_entry',
      'alert_log_entry',
      'acknowledge_log_entry',
      'annotate_log_entry',
      'resolve_log_entry',
    ]);
    expect(body.log_entries[2]).toMatchObject({
      summary: 'Acknowledged',
      agent: { id: id.ann, type: 'user_reference', summary: 'Ann' },
    });
    expect(body.log_entries[3].summary).toBe("Note added: I'm on it");
    const times = body.log_entries.map((e: { created_at: string }) => e.created_at);
    expect([...times].sort()).toEqual(times);
    expect((await ann.call('get_incident_timeline', { incident_id: 'PNOPE' })).body.error.code).toBe(
      'NOT_FOUND',
    );
  });

  it('pages through incidents with next_cursor', async ({ skip: s }) => {
    if (skip) s();
    for (let i = 0; i < 5; i++)
      await ann.ok('trigger_incident', { service_id: id.ledger, title: `Burst ${i}` });
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const body = await ann.ok('get_incidents', { limit: 3, ...(cursor && { cursor }) });
      for (const i of body.incidents) seen.add(i.id);
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen.size).toBe(8);
  });
});
