/**
 * The status_pages toolset through a real MCP client on SQLite and PostgreSQL: pages by id or
 * subdomain, component groups, incidents setting component statuses while open, updates,
 * maintenance windows, and bad input refused with an error naming the parameter and nothing stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, openHarness } from '../../test/helpers/harness.js';
import { STORES, storeAvailable } from '../../test/helpers/stores.js';

describe.each(STORES)('status page tools on $kind', (store) => {
  let h: Harness;
  let skip = false;
  const id: Record<string, string> = {};

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    h = await openHarness({ store: await store.open() });
  });
  afterAll(async () => {
    await h?.close();
  });

  const statuses = async (page = 'acme') =>
    Object.fromEntries(
      (await h.ok('list_components', { page_id: page })).components.map(
        (c: { name: string; status: string }) => [c.name, c.status],
      ),
    );

  it('creates a page reachable by id or subdomain, with groups and components', async ({ skip: s }) => {
    if (skip) s();
    const page = (
      await h.ok('create_page', {
        name: 'Acme',
        subdomain: 'Acme',
        time_zone: 'Europe/Berlin',
        headline: 'Hi',
      })
    ).pages[0];
    expect(page).toMatchObject({
      name: 'Acme',
      subdomain: 'acme',
      language: 'en',
      time_zone: 'Europe/Berlin',
      headline: 'Hi',
      viewers_must_be_team_members: false,
      allow_rss_atom_feeds: true,
    });
    id.page = page.id;
    expect((await h.ok('get_page_details', { page_id: 'acme' })).pages[0].id).toBe(page.id);
    expect((await h.ok('get_page_details', { page_id: page.id })).pages[0].name).toBe('Acme');

    id.platform = (
      await h.ok('create_component', { page_id: 'acme', name: 'Platform', group: true })
    ).components[0].id;
    for (const name of ['API', 'Web']) {
      const c = (await h.ok('create_component', { page_id: 'acme', name, group_id: id.platform }))
        .components[0];
      expect(c).toMatchObject({ name, group: false, group_id: id.platform, status: 'operational' });
      id[name] = c.id;
    }
    id.db = (
      await h.ok('create_component', { page_id: page.id, name: 'Database', description: 'Primary' })
    ).components[0].id;
    expect(
      (await h.ok('list_components', { page_id: 'acme' })).components.map((c: { name: string }) => c.name),
    ).toEqual(['Platform', 'API', 'Web', 'Database']);
    const groups = await h.ok('list_component_groups', { page_id: 'acme' });
    expect(groups.components.map((c: { id: string }) => c.id)).toEqual([id.platform]);
    const second = await h.ok('list_components', { page_id: 'acme', page: 2, page_size: 2 });
    expect(second.components.map((c: { name: string }) => c.name)).toEqual(['Web', 'Database']);
  });

  it('changes a component; a group shows its worst member', async ({ skip: s }) => {
    if (skip) s();
    await h.ok('patch_component', { page_id: 'acme', component_id: id.Web, status: 'partial_outage' });
    expect(await statuses()).toEqual({
      Platform: 'partial_outage',
      API: 'operational',
      Web: 'partial_outage',
      Database: 'operational',
    });
    await h.ok('update_component', { page_id: 'acme', component_id: id.Web, status: 'operational' });
    const page = await h.ok('patch_page', { page_id: 'acme', headline: 'All good', support_url: '' });
    expect(page.pages[0]).toMatchObject({ headline: 'All good', name: 'Acme' });
    expect(page.pages[0]).not.toHaveProperty('support_url');
  });

  it('posts an incident that sets component statuses while open, with updates', async ({ skip: s }) => {
    if (skip) s();
    const incident = (
      await h.ok('create_incident', {
        page_id: 'acme',
        name: 'Database degraded',
        status: 'investigating',
        impact: 'major',
        body: 'We are investigating slow queries.',
        components: { [`${id.db}`]: 'degraded_performance', [`${id.API}`]: 'major_outage' },
      })
    ).incidents[0];
    expect(incident).toMatchObject({
      name: 'Database degraded',
      status: 'investigating',
      impact: 'major',
      components: { [`${id.db}`]: 'degraded_performance', [`${id.API}`]: 'major_outage' },
    });
    expect(incident).not.toHaveProperty('resolved_at');
    expect(incident).not.toHaveProperty('scheduled_for');
    expect(incident.incident_updates).toHaveLength(1);
    id.incident = incident.id;
    expect(await statuses()).toMatchObject({
      Platform: 'major_outage',
      API: 'major_outage',
      Database: 'degraded_performance',
    });
    const db = (await h.ok('get_component_details', { page_id: 'acme', component_id: id.db })).components[0];
    expect([db.status, db.own_status]).toEqual(['degraded_performance', 'operational']);

    const update = (
      await h.ok('add_incident_update', {
        page_id: 'acme',
        incident_id: id.incident,
        update_data: { body: 'Fix deployed, monitoring.', status: 'monitoring' },
      })
    ).incident_updates[0];
    expect(update).toMatchObject({ status: 'monitoring', body: 'Fix deployed, monitoring.' });
    const edited = await h.ok('update_incident_update', {
      page_id: 'acme',
      incident_id: id.incident,
      update_id: update.id,
      update_data: { body: 'Fix deployed; monitoring.', created_at: '2026-03-01T10:00:00+01:00' },
    });
    expect(edited.incident_updates[0]).toMatchObject({
      body: 'Fix deployed; monitoring.',
      created_at: '2026-03-01T09:00:00.000Z',
    });
    const details = (await h.ok('get_incident_details', { page_id: 'acme', incident_id: id.incident }))
      .incidents[0];
    expect(details.status).toBe('monitoring');
    expect(details.monitoring_at).toEqual(expect.any(String));

    const resolved = (
      await h.ok('patch_incident', {
        page_id: 'acme',
        incident_id: id.incident,
        status: 'resolved',
        body: 'Fixed.',
      })
    ).incidents[0];
    expect(resolved.resolved_at).toEqual(expect.any(String));
    expect(resolved.incident_updates.map((u: { status: string }) => u.status).sort()).toEqual([
      'investigating',
      'monitoring',
      'resolved',
    ]);
    expect(await statuses()).toMatchObject({
      Platform: 'operational',
      API: 'operational',
      Database: 'operational',
    });
    const updates = await h.ok('get_incident_updates', { page_id: 'acme', incident_id: id.incident });
    expect(updates.incident_updates).toHaveLength(3);
    await h.ok('delete_incident_update', { page_id: 'acme', incident_id: id.incident, update_id: update.id });
    expect(
      (await h.ok('get_incident_updates', { page_id: 'acme', incident_id: id.incident })).incident_updates,
    ).toHaveLength(2);
    expect((await h.ok('list_incidents', { page_id: 'acme', status: 'resolved' })).incidents).toHaveLength(1);
  });

  it('schedules maintenance that shows once in progress', async ({ skip: s }) => {
    if (skip) s();
    const m = (
      await h.ok('create_incident', {
        page_id: 'acme',
        name: 'Database upgrade',
        status: 'scheduled',
        scheduled_for: '2026-06-07T02:00:00Z',
        scheduled_until: '2026-06-07T06:00:00+02:00',
        components: { [`${id.db}`]: 'under_maintenance' },
      })
    ).incidents[0];
    expect(m).toMatchObject({
      status: 'scheduled',
      scheduled_for: '2026-06-07T02:00:00.000Z',
      scheduled_until: '2026-06-07T04:00:00.000Z',
      scheduled_auto_in_progress: true,
    });
    expect((await statuses()).Database).toBe('operational');
    await h.ok('update_incident', { page_id: 'acme', incident_id: m.id, status: 'in_progress' });
    expect((await statuses()).Database).toBe('under_maintenance');
    await h.ok('update_incident', { page_id: 'acme', incident_id: m.id, status: 'completed' });
    expect((await statuses()).Database).toBe('operational');
    id.maintenance = m.id;
  });

  it('links a component to checks, and unlinks it', async ({ skip: s }) => {
    if (skip) s();
    id.check = (
      await h.ok('create_check', {
        name: 'API health',
        type: 'web',
        url: 'http://127.0.0.1:9/',
        interval: 60,
      })
    ).checks[0].id;
    const linked = (
      await h.ok('create_component', {
        page_id: 'acme',
        name: 'Linked',
        check_ids: [id.check],
        automation_delay_seconds: 30,
      })
    ).components[0];
    expect(linked).toMatchObject({
      check_ids: [id.check],
      automation_delay_seconds: 30,
      status: 'operational',
    });
    id.linked = linked.id;
    const plain = (await h.ok('get_component_details', { page_id: 'acme', component_id: id.db }))
      .components[0];
    expect(plain).toMatchObject({ check_ids: [], automation_delay_seconds: 60 });
    const patched = await h.ok('patch_component', {
      page_id: 'acme',
      component_id: id.linked,
      check_ids: [],
    });
    expect(patched.components[0].check_ids).toEqual([]);
    await h.ok('patch_component', { page_id: 'acme', component_id: id.linked, check_ids: [id.check] });
  });

  it('refuses bad input with an error naming the parameter, and stores nothing', async ({ skip: s }) => {
    if (skip) s();
    const other = (await h.ok('create_page', { name: 'Other', subdomain: 'other' })).pages[0];
    const otherGroup = (await h.ok('create_component', { page_id: 'other', name: 'G', group: true }))
      .components[0];
    const count = async () => ({
      acme: (await h.ok('list_components', { page_id: 'acme' })).components.length,
      incidents: (await h.ok('list_incidents', { page_id: 'acme' })).incidents.length,
      pages: (await h.ok('list_pages')).pages.length,
      updates: (await h.ok('get_incident_updates', { page_id: 'acme', incident_id: id.incident }))
        .incident_updates.length,
    });
    const before = await count();
    const cases: [string, Record<string, unknown>, string, string, string][] = [
      ['get_page_details', { page_id: 'nope' }, 'NOT_FOUND', 'page_id', "No status page with id 'nope'"],
      ['create_component', { page_id: 'nope', name: 'x' }, 'NOT_FOUND', 'page_id', 'status page'],
      [
        'create_component',
        { page_id: 'acme', name: 'x', group_id: otherGroup.id },
        'VALIDATION_ERROR',
        'group_id',
        'is on another status page',
      ],
      [
        'patch_component',
        { page_id: 'acme', component_id: id.API, group_id: otherGroup.id },
        'VALIDATION_ERROR',
        'group_id',
        'must be on the same page',
      ],
      [
        'create_component',
        { page_id: 'acme', name: 'x', group_id: id.db },
        'VALIDATION_ERROR',
        'group_id',
        'is not a group',
      ],
      [
        'create_component',
        { page_id: 'acme', name: 'x', group: true, group_id: id.platform },
        'VALIDATION_ERROR',
        'group_id',
        'cannot be inside another group',
      ],
      [
        'get_component_details',
        { page_id: 'other', component_id: id.db },
        'NOT_FOUND',
        'component_id',
        'No component',
      ],
      [
        'create_component',
        { page_id: 'acme', name: 'x', status: 'broken' },
        'VALIDATION_ERROR',
        'status',
        '',
      ],
      [
        'create_incident',
        { page_id: 'acme', name: 'x', status: 'sleeping' },
        'VALIDATION_ERROR',
        'status',
        '',
      ],
      [
        'create_incident',
        { page_id: 'acme', name: 'x', status: 'investigating', components: { [`${id.db}`]: 'on_fire' } },
        'VALIDATION_ERROR',
        'components',
        '',
      ],
      [
        'create_incident',
        {
          page_id: 'acme',
          name: 'x',
          status: 'investigating',
          components: { [`${otherGroup.id}`]: 'major_outage' },
        },
        'NOT_FOUND',
        'components',
        otherGroup.id,
      ],
      [
        'create_incident',
        {
          page_id: 'acme',
          name: 'Backwards',
          status: 'scheduled',
          scheduled_for: '2026-06-07T04:00:00Z',
          scheduled_until: '2026-06-07T02:00:00Z',
        },
        'VALIDATION_ERROR',
        'scheduled_until',
        'maintenance cannot end before it starts',
      ],
      [
        'create_incident',
        { page_id: 'acme', name: 'x', status: 'scheduled', scheduled_for: '2026-06-07T04:00:00Z' },
        'VALIDATION_ERROR',
        'scheduled_until',
        'needs both',
      ],
      [
        'create_incident',
        { page_id: 'acme', name: 'x', status: 'scheduled' },
        'VALIDATION_ERROR',
        'status',
        'is for maintenance',
      ],
      [
        'create_incident',
        {
          page_id: 'acme',
          name: 'x',
          status: 'investigating',
          scheduled_for: '2026-06-07T02:00:00Z',
          scheduled_until: '2026-06-07T04:00:00Z',
        },
        'VALIDATION_ERROR',
        'status',
        'is for incidents',
      ],
      [
        'patch_incident',
        { page_id: 'acme', incident_id: id.maintenance, scheduled_until: '2026-06-07T01:00:00Z' },
        'VALIDATION_ERROR',
        'scheduled_until',
        'cannot end before it starts',
      ],
      [
        'add_incident_update',
        { page_id: 'acme', incident_id: id.incident, update_data: { body: 'x', status: 'in_progress' } },
        'VALIDATION_ERROR',
        'update_data\\.status',
        'is for maintenance',
      ],
      [
        'get_incident_details',
        { page_id: 'other', incident_id: id.incident },
        'NOT_FOUND',
        'incident_id',
        'No incident',
      ],
      [
        'create_component',
        { page_id: 'acme', name: 'x', check_ids: ['PNOPE'] },
        'NOT_FOUND',
        'check_ids',
        'PNOPE',
      ],
      [
        'create_component',
        { page_id: 'acme', name: 'x', group: true, check_ids: [id.check] },
        'VALIDATION_ERROR',
        'check_ids',
        'group cannot be linked',
      ],
      [
        'patch_component',
        { page_id: 'acme', component_id: id.linked, status: 'major_outage' },
        'VALIDATION_ERROR',
        'status',
        'takes its status from them',
      ],
      [
        'patch_component',
        { page_id: 'acme', component_id: id.linked, automation_delay_seconds: -1 },
        'VALIDATION_ERROR',
        'automation_delay_seconds',
        '',
      ],
      ['create_page', { name: 'Dup', subdomain: 'ACME' }, 'CONFLICT', 'subdomain', "subdomain 'ACME'"],
      ['patch_page', { page_id: 'other', subdomain: 'acme' }, 'CONFLICT', 'subdomain', 'already has'],
      ['create_page', { name: 'x', time_zone: 'Mars/Base' }, 'VALIDATION_ERROR', 'time_zone', 'Mars/Base'],
      ['create_page', { name: 'x', subdomain: 'no spaces' }, 'VALIDATION_ERROR', 'subdomain', ''],
      ['patch_page', { page_id: 'acme' }, 'VALIDATION_ERROR', 'page_id', 'Nothing to update'],
    ];
    for (const [tool, args, code, parameter, message] of cases) {
      const r = await h.call(tool, args);
      const label = `${tool} ${JSON.stringify(args)}`;
      expect(r.isError, label).toBe(true);
      expect(r.body.error.code, label).toBe(code);
      expect(String(r.body.error.details?.parameter), label).toMatch(new RegExp(`^${parameter}`));
      expect(r.body.error.message, label).toContain(message);
    }
    expect(await count()).toEqual(before);
    expect((await h.ok('get_page_details', { page_id: other.id })).pages[0].subdomain).toBe('other');
  });

  it('deletes components (members leave the group), incidents and pages', async ({ skip: s }) => {
    if (skip) s();
    await h.ok('delete_component', { page_id: 'acme', component_id: id.platform });
    const api = (await h.ok('get_component_details', { page_id: 'acme', component_id: id.API }))
      .components[0];
    expect(api).not.toHaveProperty('group_id');
    await h.ok('delete_incident', { page_id: 'acme', incident_id: id.incident });
    const gone = await h.call('get_incident_details', { page_id: 'acme', incident_id: id.incident });
    expect(gone.body.error.code).toBe('NOT_FOUND');
    const deleted = await h.ok('delete_page', { page_id: 'acme' });
    expect(deleted.pages[0].id).toBe(id.page);
    expect((await h.call('list_components', { page_id: id.page })).body.error.code).toBe('NOT_FOUND');
    expect((await h.ok('list_pages', { per_page: 10 })).pages.map((p: { name: string }) => p.name)).toEqual([
      'Other',
    ]);
  });
});
