/**
 * The Pingera seed's documented parameter forms beside its code's, through a real MCP client on
 * SQLite and PostgreSQL: the fields flat or in their wrapper object (`check_data`, `incident_data`,
 * `heartbeat_data`, `alert_data`, `update_data`), never both; errors that name the path inside the
 * wrapper or the unknown wrapper; `check_type` on list_checks; `status` on list_pages; and
 * get_unified_statistics over more checks than one page, saying when it stops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedMonitoring, pingeraMonitoring, type World } from '../../test/contract/worlds.js';
import { type Harness, openHarness } from '../../test/helpers/harness.js';
import { STORES, storeAvailable } from '../../test/helpers/stores.js';

describe.each(STORES)('seed parameter forms on $kind', (store) => {
  let h: Harness;
  let skip = false;

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    h = await openHarness({ store: await store.open() });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Calls a tool that must fail validation; returns the error's parameter and message. */
  const refused = async (tool: string, args: Record<string, unknown>, code = 'VALIDATION_ERROR') => {
    const r = await h.call(tool, args);
    expect(r.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
    expect(r.body.error.code, r.body.error.message).toBe(code);
    return { parameter: String(r.body.error.details?.parameter), message: String(r.body.error.message) };
  };

  it('creates and updates a check flat or with check_data, defaults applied either way', async ({
    skip: s,
  }) => {
    if (skip) s();
    const flat = (
      await h.ok('create_check', { name: 'Flat', type: 'web', url: 'https://a.example/', active: false })
    ).checks[0];
    const wrapped = (
      await h.ok('create_check', {
        check_data: { name: 'Wrapped', type: 'tcp', host: 'db.example', port: 5432, active: false },
      })
    ).checks[0];
    for (const check of [flat, wrapped]) expect(check).toMatchObject({ interval: 300, timeout: 10 });
    expect(wrapped).toMatchObject({ name: 'Wrapped', type: 'tcp', host: 'db.example', port: 5432 });

    const renamed = await h.ok('update_check', {
      check_id: wrapped.id,
      check_data: { name: 'DB', interval: 60 },
    });
    expect(renamed.checks[0]).toMatchObject({ name: 'DB', interval: 60, port: 5432 });
    expect((await h.ok('update_check', { check_id: flat.id, timeout: 20 })).checks[0].timeout).toBe(20);
  });

  it('refuses both forms at once, and names the path inside the wrapper', async ({ skip: s }) => {
    if (skip) s();
    const before = (await h.ok('list_checks', { limit: 1000 })).checks.length;
    const web = { name: 'x', type: 'web', url: 'https://a.example/' };

    const both = await refused('create_check', { name: 'x', check_data: web });
    expect(both).toMatchObject({ parameter: 'check_data' });
    expect(both.message).toContain('not both');

    const unknown = await refused('create_check', { check_data: { ...web, urll: 'https://b.example/' } });
    expect(unknown.parameter).toBe('check_data.urll');
    expect(unknown.message).toMatch(/Unknown field `urll` in `check_data`\. Valid fields: name, type, url,/);

    const wrongType = await refused('create_check', { check_data: { ...web, url: 42 } });
    expect(wrongType.parameter).toBe('check_data.url');
    expect(wrongType.message).toContain('`check_data.url`');

    const nested = await refused('create_check', {
      check_data: { ...web, parameters: { assertions: { body_regex: '(' } } },
    });
    expect(nested.parameter).toBe('check_data.parameters.assertions.body_regex');

    const missing = await refused('create_check', { check_data: { type: 'web', url: 'https://a.example/' } });
    expect(missing).toEqual({
      parameter: 'check_data.name',
      message: 'Missing required field `name` in `check_data`.',
    });
    const missingFlat = await refused('create_check', { type: 'web', url: 'https://a.example/' });
    expect(missingFlat.parameter).toBe('name');
    expect(missingFlat.message).toContain('check_data');

    // A rule checked beyond the schema (a web check needs a URL) names the field where it was given.
    const noUrl = await refused('create_check', { check_data: { name: 'x', type: 'web' } });
    expect(noUrl).toMatchObject({ parameter: 'check_data.url' });
    expect(noUrl.message).toContain('`check_data.url`');

    const notAnObject = await refused('create_check', { check_data: '{"name":"x"}' });
    expect(notAnObject.parameter).toBe('check_data');

    // The wrong wrapper is named, not a field it hides.
    const wrongWrapper = await refused('create_check', { incident_data: web });
    expect(wrongWrapper.parameter).toBe('incident_data');
    expect(wrongWrapper.message).toContain('`incident_data`');
    expect(wrongWrapper.message).toContain('check_data');

    const check = (await h.ok('list_checks', { limit: 1 })).checks[0];
    const beside = await refused('update_check', { check_id: check.id, check_data: { check_id: check.id } });
    expect(beside).toMatchObject({ parameter: 'check_data.check_id' });
    expect(beside.message).toContain('goes beside');
    expect((await refused('update_check', { check_id: check.id, check_data: {} })).message).toContain(
      'Nothing to update',
    );
    expect((await refused('update_check', { check_id: check.id })).parameter).toBe('check_id');

    expect((await h.ok('list_checks', { limit: 1000 })).checks.length).toBe(before);
  });

  it('takes heartbeats, alert rules and status-page incidents in either form', async ({ skip: s }) => {
    if (skip) s();
    const flat = (await h.ok('create_heartbeat', { name: 'Flat job', period_seconds: 3600 })).heartbeats[0];
    expect(flat).toMatchObject({ name: 'Flat job', period_seconds: 3600, grace_seconds: 3600 });
    const paused = await h.ok('update_heartbeat', { heartbeat_id: flat.id, active: false });
    expect(paused.heartbeats[0].status).toBe('paused');
    const late = await refused('create_heartbeat', { heartbeat_data: { name: 'x', period_seconds: 5 } });
    expect(late.parameter).toBe('heartbeat_data.period_seconds');
    expect((await refused('create_heartbeat', { name: 'x', period_seconds: 5 })).parameter).toBe(
      'period_seconds',
    );

    const rule = (
      await h.ok('create_alert', { name: 'Job down', heartbeat_id: flat.id, condition: 'heartbeat_down' })
    ).rules[0];
    expect(rule).toMatchObject({ name: 'Job down', heartbeat_id: flat.id, condition: 'heartbeat_down' });
    expect(
      (await h.ok('update_alert', { alert_id: rule.id, alert_data: { severity: 'critical' } })).rules[0]
        .severity,
    ).toBe('critical');
    // The store names alert_data's fields; given flat, the error names them flat.
    const noCheck = await refused('create_alert', { name: 'x', condition: 'check_failed' });
    expect(noCheck.parameter).toBe('check_id');
    expect(noCheck.message).not.toContain('alert_data');
    expect(
      (await refused('create_alert', { alert_data: { name: 'x', condition: 'check_failed' } })).parameter,
    ).toBe('alert_data.check_id');

    await h.ok('create_page', { name: 'Forms', subdomain: 'forms' });
    const incident = (
      await h.ok('create_incident', {
        page_id: 'forms',
        incident_data: { name: 'Slow API', status: 'investigating', body: 'Looking into it.' },
      })
    ).incidents[0];
    expect(incident).toMatchObject({ name: 'Slow API', status: 'investigating' });
    const updated = await h.ok('update_incident', {
      page_id: 'forms',
      incident_id: incident.id,
      incident_data: { impact: 'minor' },
    });
    expect(updated.incidents[0].impact).toBe('minor');
    const badStart = await refused('create_incident', {
      page_id: 'forms',
      incident_data: { name: 'Upgrade', status: 'scheduled', scheduled_for: 'next tuesday' },
    });
    expect(badStart.parameter).toBe('incident_data.scheduled_for');

    const update = (
      await h.ok('add_incident_update', {
        page_id: 'forms',
        incident_id: incident.id,
        body: 'Fix deployed.',
        status: 'monitoring',
      })
    ).incident_updates[0];
    expect(update).toMatchObject({ body: 'Fix deployed.', status: 'monitoring' });
    const edited = await h.ok('update_incident_update', {
      page_id: 'forms',
      incident_id: incident.id,
      update_id: update.id,
      body: 'Fix deployed; watching.',
    });
    expect(edited.incident_updates[0].body).toBe('Fix deployed; watching.');
    const badTime = await refused('update_incident_update', {
      page_id: 'forms',
      incident_id: incident.id,
      update_id: update.id,
      update_data: { created_at: 'yesterday' },
    });
    expect(badTime.parameter).toBe('update_data.created_at');
  });

  it("filters list_checks by the README's check_type, the same as type", async ({ skip: s }) => {
    if (skip) s();
    const byType = (await h.ok('list_checks', { type: 'tcp' })).checks.map((c: { id: string }) => c.id);
    expect(byType.length).toBeGreaterThan(0);
    expect(
      (await h.ok('list_checks', { check_type: 'tcp' })).checks.map((c: { id: string }) => c.id),
    ).toEqual(byType);
    expect((await refused('list_checks', { type: 'tcp', check_type: 'web' })).message).toContain('not both');
  });

  it("filters list_pages by status, each page's worst component, with a cursor", async ({ skip: s }) => {
    if (skip) s();
    await h.ok('create_page', { name: 'Down', subdomain: 'down' });
    await h.ok('create_page', { name: 'Also down', subdomain: 'also-down' });
    for (const page of ['down', 'also-down']) {
      await h.ok('create_component', { page_id: page, name: 'API', status: 'operational' });
      await h.ok('create_component', { page_id: page, name: 'DB', status: 'major_outage' });
    }
    await h.ok('create_component', { page_id: 'forms', name: 'Web', status: 'degraded_performance' });
    const names = (r: Record<string, any>) => r.pages.map((p: { name: string }) => p.name);

    // Pages list by name.
    expect(names(await h.ok('list_pages', { status: 'major_outage' }))).toEqual(['Also down', 'Down']);
    expect(names(await h.ok('list_pages', { status: 'degraded_performance' }))).toEqual(['Forms']);
    expect(names(await h.ok('list_pages', { status: 'partial_outage' }))).toEqual([]);
    await h.ok('create_page', { name: 'Empty', subdomain: 'empty' });
    expect(names(await h.ok('list_pages', { status: 'operational' }))).toEqual(['Empty']);

    const first = await h.ok('list_pages', { status: 'major_outage', limit: 1 });
    expect(names(first)).toEqual(['Also down']);
    const rest = await h.ok('list_pages', { status: 'major_outage', limit: 1, cursor: first.next_cursor });
    expect(names(rest)).toEqual(['Down']);
    expect(rest.next_cursor).toBeUndefined();
    // A cursor belongs to its filter.
    expect(
      (await refused('list_pages', { status: 'operational', cursor: first.next_cursor })).parameter,
    ).toBe('cursor');
  });

  it('get_unified_statistics covers every check, a page at a time, and says when more follow', async ({
    skip: s,
  }) => {
    if (skip) s();
    const existing = (await h.ok('list_checks', { limit: 1000 })).checks.length;
    for (let i = existing; i < 105; i++) {
      await h.ok('create_check', {
        name: `Bulk ${i}`,
        type: 'tcp',
        host: 'db.example',
        port: 5432,
        active: false,
      });
    }
    const all = (await h.ok('list_checks', { limit: 1000 })).checks.map((c: { id: string }) => c.id);
    expect(all.length).toBeGreaterThan(100);

    const first = await h.ok('get_unified_statistics', {});
    expect(first.statistics).toHaveLength(100);
    expect(first.next_cursor).toEqual(expect.any(String));
    expect(first.metadata.description).toContain('more checks follow');
    const rest = await h.ok('get_unified_statistics', { cursor: first.next_cursor });
    expect(rest.next_cursor).toBeUndefined();
    const seen = [...first.statistics, ...rest.statistics].map((x: { check_id: string }) => x.check_id);
    expect(seen.sort()).toEqual([...all].sort());

    const chosen = await h.ok('get_unified_statistics', { check_ids: all.slice(0, 2) });
    expect(chosen.statistics.map((x: { check_id: string }) => x.check_id)).toEqual(all.slice(0, 2));
    expect(chosen.next_cursor).toBeUndefined();
    expect(
      (await refused('get_unified_statistics', { check_ids: all.slice(0, 2), limit: 5 })).parameter,
    ).toBe('limit');
  });
});

/** The same forms answered by a Pingera account (the loopback fake, every request checked). */
describe.each([
  { name: 'embedded', open: embeddedMonitoring },
  { name: 'pingera', open: pingeraMonitoring },
])('seed parameter forms served by $name', ({ open }) => {
  let w: World;
  beforeAll(async () => {
    w = await open();
  });
  afterAll(async () => {
    await w?.close();
  });

  it('writes with either form and filters pages by their overall status', async () => {
    const check = (
      await w.ok('create_check', {
        check_data: { name: 'Site', type: 'web', url: 'https://site.example/', active: false },
      })
    ).checks[0];
    expect(check).toMatchObject({ name: 'Site', type: 'web', interval: 300 });
    expect(
      (await w.ok('list_checks', { check_type: 'web' })).checks.map((c: { id: string }) => c.id),
    ).toEqual([check.id]);
    const heartbeat = (await w.ok('create_heartbeat', { name: 'Backup', period_seconds: 3600 }))
      .heartbeats[0];
    expect(heartbeat).toMatchObject({ name: 'Backup', period_seconds: 3600 });
    const bad = await w.call('update_heartbeat', {
      heartbeat_id: heartbeat.id,
      heartbeat_data: { grace_seconds: 5 },
    });
    expect(bad.body.error.details.parameter).toBe('heartbeat_data.grace_seconds');

    const calm = (await w.ok('create_page', { name: 'Calm', subdomain: 'calm-forms' })).pages[0];
    const down = (await w.ok('create_page', { name: 'Down', subdomain: 'down-forms' })).pages[0];
    await w.ok('create_component', { page_id: calm.id, name: 'API', status: 'operational' });
    await w.ok('create_component', { page_id: down.id, name: 'API', status: 'major_outage' });
    const incident = await w.ok('create_incident', {
      page_id: down.id,
      incident_data: { name: 'API down', status: 'investigating', body: 'Looking into it.' },
    });
    expect(incident.incidents[0]).toMatchObject({ name: 'API down', status: 'investigating' });
    const ids = async (status: string) =>
      (await w.ok('list_pages', { status })).pages.map((p: { id: string }) => p.id);
    expect(await ids('major_outage')).toEqual([down.id]);
    expect(await ids('operational')).toContain(calm.id);
    expect(await ids('operational')).not.toContain(down.id);
  });
});
