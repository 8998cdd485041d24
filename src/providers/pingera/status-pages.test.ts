/**
 * The statusPages port on Pingera, behind the loopback fake: every port method against the API
 * as the contract describes it (the fake records a violation for any request the spec does not
 * declare), 404s answered as the tools expect (undefined for a page, NOT_FOUND naming the
 * parameter otherwise), NOT_SUPPORTED where Pingera lacks the operation, both shapes of
 * GET /v1/pages.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakePingera, startFakePingera } from '../../../test/helpers/fake-pingera.js';
import { VigilError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import { PingeraClient } from './client.js';
import { record } from './raw.js';
import { PingeraStatusPages } from './status-pages.js';
import { toComponent, toIncident, toPage } from './status-pages-map.js';

const portFor = (url: string, key: string) =>
  new PingeraStatusPages(
    new PingeraClient(
      { baseUrl: url, timeoutMs: 5000, maxRetries: 0, log: silentLogger(), userAgent: 'vigil-test' },
      async () => ({ kind: 'api_key', value: key }),
    ),
  );

/** The VigilError a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<VigilError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VigilError);
  return err as VigilError;
}

describe('PingeraStatusPages behind the fake', () => {
  let fake: FakePingera;
  let port: PingeraStatusPages;

  beforeAll(async () => {
    fake = await startFakePingera();
    fake.addAccount('key-a');
    port = portFor(fake.url, 'key-a');
  });
  afterEach(() => {
    expect(fake.violations()).toEqual([]);
  });
  afterAll(async () => {
    await fake?.close();
  });

  describe('pages', () => {
    it('creates, reads by id and by subdomain, lists in pages, changes and deletes a page', async () => {
      const created = await port.createPage({
        name: 'Acme',
        subdomain: 'acme-status',
        domain: 'status.acme.test',
        headline: 'All about Acme',
        allow_rss_atom_feeds: true,
      });
      expect(created).toMatchObject({
        name: 'Acme',
        subdomain: 'acme-status',
        domain: 'status.acme.test',
        headline: 'All about Acme',
        url: null,
        allow_rss_atom_feeds: true,
        viewers_must_be_team_members: false,
      });
      expect(created.id).toMatch(/\S/);
      expect(created.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);

      expect(await port.getPage(created.id)).toEqual(created);
      expect((await port.getPage('ACME-STATUS'))?.id).toBe(created.id);
      expect((await port.getPageByDomain('Status.Acme.test'))?.id).toBe(created.id);

      const other = await port.createPage({ name: 'Beta' });
      const third = await port.createPage({ name: 'Gamma' });
      const first = await port.listPages({ limit: 2, offset: 0 });
      expect(first.items).toHaveLength(2);
      expect(first.more).toBe(true);
      const rest = await port.listPages({ limit: 2, offset: 2 });
      expect(rest.more).toBe(false);
      expect([...first.items, ...rest.items].map((p) => p.id).sort()).toEqual(
        [created.id, other.id, third.id].sort(),
      );

      // By subdomain; "" clears a text field.
      const changed = await port.updatePage('acme-status', { headline: 'Changed', url: '' });
      expect(changed).toMatchObject({ id: created.id, headline: 'Changed', url: null, name: 'Acme' });

      expect(await port.deletePage(other.id)).toMatchObject({ id: other.id, name: 'Beta' });
      expect(await port.getPage(other.id)).toBeUndefined();
      await port.deletePage(third.id);
    });

    it('a missing page is undefined to read and NOT_FOUND on page_id to change or delete', async () => {
      expect(await port.getPage('nosuchpage00')).toBeUndefined();
      expect(await port.getPageByDomain('nowhere.example')).toBeUndefined();
      for (const call of [
        () => port.updatePage('nosuchpage00', { name: 'x' }),
        () => port.deletePage('nosuchpage00'),
        () => port.listComponents('nosuchpage00', { limit: 10, offset: 0 }),
        () => port.getComponent('nosuchpage00', 'nosuchcomp00'),
        () => port.listIncidents('nosuchpage00', { limit: 10, offset: 0 }),
        () => port.addIncidentUpdate('nosuchpage00', 'nosuchincid0', { body: 'x', status: 'resolved' }),
      ]) {
        const err = await failure(call());
        expect(err.code).toBe('NOT_FOUND');
        expect(err.details).toMatchObject({ parameter: 'page_id' });
      }
    });
  });

  describe('components and groups', () => {
    it('creates a group at /component-groups and a member; a group shows its worst member', async () => {
      const page = await port.createPage({ name: 'Components', subdomain: 'comp-page' });
      const group = await port.createComponent(page.id, { name: 'Backend', group: true });
      expect(group).toMatchObject({ group: true, page_id: page.id, status: 'operational' });
      const api = await port.createComponent('comp-page', {
        name: 'API',
        group_id: group.id,
        position: 1,
        status: 'degraded_performance',
        description: 'Public API',
      });
      expect(api).toMatchObject({
        name: 'API',
        group: false,
        group_id: group.id,
        status: 'degraded_performance',
        own_status: 'degraded_performance',
        description: 'Public API',
        showcase: true,
      });
      const web = await port.createComponent(page.id, { name: 'Web', position: 2 });

      const all = await port.listComponents(page.id, { limit: 100, offset: 0 });
      expect(all.items.map((c) => c.id).sort()).toEqual([group.id, api.id, web.id].sort());
      expect(all.items.find((c) => c.id === group.id)?.status).toBe('degraded_performance');
      const groups = await port.listComponents(page.id, { groups: true, limit: 100, offset: 0 });
      expect(groups.items.map((c) => c.id)).toEqual([group.id]);
      const one = await port.listComponents(page.id, { limit: 1, offset: 1 });
      expect(one.items).toHaveLength(1);
      expect(one.more).toBe(true);

      expect(await port.getComponent(page.id, api.id)).toEqual(api);
      expect((await port.getComponent(page.id, group.id)).status).toBe('degraded_performance');

      const fixed = await port.updateComponent(page.id, api.id, { status: 'operational', name: 'API v2' });
      expect(fixed).toMatchObject({ id: api.id, name: 'API v2', status: 'operational' });
      expect((await port.getComponent('comp-page', group.id)).status).toBe('operational');

      expect(await port.deleteComponent(page.id, web.id)).toMatchObject({ id: web.id, name: 'Web' });
      const missing = await failure(port.getComponent(page.id, web.id));
      expect(missing.code).toBe('NOT_FOUND');
      expect(missing.details).toMatchObject({ parameter: 'component_id', id: web.id });
      const gone = await failure(port.updateComponent(page.id, web.id, { name: 'x' }));
      expect(gone.details).toMatchObject({ parameter: 'component_id' });
      await port.deleteComponent(page.id, group.id);
      await port.deletePage(page.id);
    });
  });

  describe('incidents, maintenance and updates', () => {
    it('posts an incident, lists it by status, changes it, adds and edits updates, deletes it', async () => {
      const page = await port.createPage({ name: 'Incidents', subdomain: 'inc-page' });
      const api = await port.createComponent(page.id, { name: 'API' });

      const incident = await port.createIncident(page.id, {
        name: 'API slow',
        status: 'investigating',
        body: 'Looking into it',
        impact: 'minor',
        components: { [api.id]: 'degraded_performance' },
      });
      expect(incident).toMatchObject({
        page_id: page.id,
        name: 'API slow',
        status: 'investigating',
        impact: 'minor',
        deliver_notifications: true,
        resolved_at: null,
        scheduled_for: null,
      });
      expect(incident.created_at).toMatch(/Z$/);

      const listed = await port.listIncidents('inc-page', { limit: 10, offset: 0 });
      expect(listed.items.map((i) => i.id)).toEqual([incident.id]);
      expect((await port.listIncidents(page.id, { status: 'resolved', limit: 10, offset: 0 })).items).toEqual(
        [],
      );

      const changed = await port.updateIncident(page.id, incident.id, {
        name: 'API very slow',
        impact: 'major',
      });
      expect(changed).toMatchObject({ id: incident.id, name: 'API very slow', impact: 'major' });

      const update = await port.addIncidentUpdate(page.id, incident.id, {
        body: 'Fixed, watching',
        status: 'monitoring',
      });
      expect(update).toMatchObject({
        incident_id: incident.id,
        status: 'monitoring',
        body: 'Fixed, watching',
      });
      const updates = await port.listIncidentUpdates('inc-page', incident.id);
      expect(updates.map((u) => u.id)).toContain(update.id);
      const times = updates.map((u) => u.created_at);
      expect(times).toEqual([...times].sort().reverse());

      const edited = await port.editIncidentUpdate(page.id, incident.id, update.id, {
        body: 'Fixed; watching',
      });
      expect(edited).toMatchObject({ id: update.id, body: 'Fixed; watching' });
      const detail = await port.getIncident(page.id, incident.id);
      expect(detail.incident_updates.map((u) => u.id)).toContain(update.id);

      const noUpdate = await failure(
        port.editIncidentUpdate(page.id, incident.id, 'nosuchupdat0', { body: 'x' }),
      );
      expect(noUpdate).toMatchObject({ code: 'NOT_FOUND', details: { parameter: 'update_id' } });
      const noIncident = await failure(port.listIncidentUpdates(page.id, 'nosuchincid0'));
      expect(noIncident).toMatchObject({ code: 'NOT_FOUND', details: { parameter: 'incident_id' } });
      expect(await failure(port.getIncident(page.id, 'nosuchincid0'))).toMatchObject({
        details: { parameter: 'incident_id' },
      });

      expect(await port.deleteIncident(page.id, incident.id)).toMatchObject({ id: incident.id });
      expect(await failure(port.getIncident(page.id, incident.id))).toMatchObject({ code: 'NOT_FOUND' });
      await port.deletePage(page.id);
    });

    it('maintenance schedules, maintenance statuses and metadata are NOT_SUPPORTED on writes, without a request', async () => {
      const page = await port.createPage({ name: 'Maintenance' });
      const incident = await port.createIncident(page.id, { name: 'Slow', status: 'investigating' });
      const before = fake.requests.length;
      for (const call of [
        () =>
          port.createIncident(page.id, {
            name: 'DB upgrade',
            status: 'scheduled',
            scheduled_for: '2030-01-01T01:00:00.000Z',
            scheduled_until: '2030-01-01T03:00:00.000Z',
          }),
        () => port.createIncident(page.id, { name: 'DB upgrade', status: 'scheduled' }),
        () => port.updateIncident(page.id, incident.id, { auto_transition_to_maintenance_state: true }),
        () => port.updateIncident(page.id, incident.id, { metadata: { team: 'db' } }),
        () => port.updateIncident(page.id, incident.id, { impact: 'none' }),
        () => port.addIncidentUpdate(page.id, incident.id, { body: 'Started', status: 'in_progress' }),
      ]) {
        const err = await failure(call());
        expect(err.code).toBe('NOT_SUPPORTED');
        expect(err.details).toEqual({ provider: 'pingera' });
      }
      expect(fake.requests.length).toBe(before);
      await port.deletePage(page.id);
    });

    it('clears text fields with an empty string; a field with no empty value is NOT_SUPPORTED', async () => {
      const page = await port.createPage({
        name: 'Clearing',
        subdomain: 'clearing',
        domain: 'c.example.test',
      });
      const cleared = await port.updatePage(page.id, { domain: null, headline: '' });
      expect(cleared).toMatchObject({ domain: null, headline: null, subdomain: 'clearing' });
      const group = await port.createComponent(page.id, { name: 'G', group: true });
      const c = await port.createComponent(page.id, { name: 'C', description: 'd', group_id: group.id });
      expect((await port.updateComponent(page.id, c.id, { description: null })).description).toBeNull();
      for (const call of [
        () => port.updatePage(page.id, { subdomain: null }),
        () => port.updateComponent(page.id, c.id, { group_id: null }),
        () => port.updateComponent(page.id, c.id, { start_date: null }),
      ]) {
        expect(await failure(call())).toMatchObject({
          code: 'NOT_SUPPORTED',
          message: expect.stringContaining('clearing'),
        });
      }
      await port.deletePage(page.id);
    });

    it('deleting an incident update is NOT_SUPPORTED naming the provider, without a request', async () => {
      const before = fake.requests.length;
      const err = await failure(port.deleteIncidentUpdate('anypage0000', 'anyincident0', 'anyupdate000'));
      expect(fake.requests.length).toBe(before);
      expect(err.code).toBe('NOT_SUPPORTED');
      expect(err.message).toContain('pingera');
      expect(err.details).toEqual({ provider: 'pingera' });
    });
  });
});

describe('PingeraStatusPages on seeded accounts and the older GET /v1/pages', () => {
  let fake: FakePingera;

  beforeAll(async () => {
    fake = await startFakePingera();
    fake.addAccount('key-a', { pages: [{ id: 'pagea0000001', name: 'A only', subdomain: 'a-only' }] });
    fake.addAccount('key-b', {
      pages: [
        {
          id: 'pageb0000001',
          name: 'B',
          subdomain: 'b-status',
          components: [
            { id: 'grpb00000001', name: 'Backend', group: true, position: 0 },
            { id: 'cmpb00000001', name: 'DB', group_id: 'grpb00000001', status: 'major_outage', position: 1 },
            { id: 'cmpb00000002', name: 'Old', deleted: true, position: 2 },
          ],
          incidents: [
            {
              id: 'incb00000001',
              name: 'DB upgrade',
              impact: 'minor',
              created_at: '2030-01-01T00:00:00Z',
              updates: [
                { body: 'Planned for Sunday', status: 'identified', created_at: '2030-01-01T00:00:00Z' },
              ],
              extra: {
                scheduled_for: '2030-01-05T01:00:00Z',
                scheduled_until: '2030-01-05T03:00:00Z',
                auto_transition_to_maintenance_state: true,
                scheduled_auto_completed: true,
              },
            },
          ],
        },
      ],
    });
  });
  afterEach(() => {
    expect(fake.violations()).toEqual([]);
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('reads maintenance as Pingera keeps it, hides soft-deleted components, shows a group its worst member', async () => {
    const port = portFor(fake.url, 'key-b');
    const maintenance = await port.getIncident('b-status', 'incb00000001');
    expect(maintenance).toMatchObject({
      page_id: 'pageb0000001',
      impact: 'minor',
      scheduled_for: '2030-01-05T01:00:00.000Z',
      scheduled_until: '2030-01-05T03:00:00.000Z',
      auto_transition_to_maintenance_state: true,
      scheduled_auto_completed: true,
      incident_updates: [{ body: 'Planned for Sunday', status: 'identified' }],
    });
    const listed = await port.listComponents('pageb0000001', { limit: 100, offset: 0 });
    expect(listed.items.map((c) => [c.id, c.status])).toEqual([
      ['grpb00000001', 'major_outage'],
      ['cmpb00000001', 'major_outage'],
    ]);
    expect(
      (await port.listComponents('b-status', { groups: true, limit: 100, offset: 0 })).items,
    ).toHaveLength(1);
  });

  it("an account never sees another's pages", async () => {
    const a = portFor(fake.url, 'key-a');
    const b = portFor(fake.url, 'key-b');
    expect(await a.getPage('pageb0000001')).toBeUndefined();
    expect(await a.getPage('b-status')).toBeUndefined();
    expect((await a.listPages({ limit: 10, offset: 0 })).items.map((p) => p.id)).toEqual(['pagea0000001']);
    expect((await b.listPages({ limit: 10, offset: 0 })).items.map((p) => p.id)).toEqual(['pageb0000001']);
  });

  it('changes with PATCH, never PUT', async () => {
    const port = portFor(fake.url, 'key-b');
    await port.updatePage('pageb0000001', { headline: 'Hi' });
    await port.updateComponent('pageb0000001', 'cmpb00000001', { status: 'operational' });
    await port.updateComponent('pageb0000001', 'grpb00000001', { name: 'Back end' });
    await port.updateIncident('pageb0000001', 'incb00000001', { name: 'DB upgrade (moved)' });
    const writes = fake.requests.filter((r) => r.method === 'PUT' || r.method === 'PATCH');
    expect(writes.length).toBeGreaterThanOrEqual(4);
    expect(writes.every((r) => r.method === 'PATCH')).toBe(true);
  });

  it('takes GET /v1/pages as a bare array too: listed, paged and searched by subdomain', async () => {
    const older = await startFakePingera({ pagesAsArray: true });
    try {
      older.addAccount('key-c', {
        pages: [
          { id: 'pagec0000001', name: 'One' },
          { id: 'pagec0000002', name: 'Two', subdomain: 'two' },
          { id: 'pagec0000003', name: 'Three' },
        ],
      });
      const port = portFor(older.url, 'key-c');
      const first = await port.listPages({ limit: 2, offset: 0 });
      expect(first.items).toHaveLength(2);
      expect(first.more).toBe(true);
      const rest = await port.listPages({ limit: 2, offset: 2 });
      expect(rest).toMatchObject({ items: [{}], more: false });
      expect(new Set([...first.items, ...rest.items].map((p) => p.id)).size).toBe(3);
      expect((await port.getPage('two'))?.id).toBe('pagec0000002');
      expect(older.violations()).toEqual([]);
    } finally {
      await older.close();
    }
  });
});

describe("Pingera's objects as Vigil's", () => {
  it('reads maintenance as Pingera runs it, naive timestamps as UTC, nulls as the embedded defaults', () => {
    const incident = toIncident(
      {
        id: 'mnt000000001',
        page_id: 'page00000001',
        name: 'DB upgrade',
        status: 'in_progress',
        impact: null,
        body: null,
        components: [{ id: 'cmp000000002', status: 'under_maintenance' }, { id: 'cmp000000001' }],
        scheduled_for: '2030-01-01T01:00:00',
        scheduled_until: '2030-01-01T03:00:00+00:00',
        scheduled_auto_completed: false,
        auto_transition_to_maintenance_state: null,
        reminder_intervals: '[3, 6]',
        metadata: null,
        created_at: '2029-12-01T10:00:00.123456',
        updated_at: null,
        incident_updates: [
          { id: 'u1', status: 'scheduled', body: 'Planned', created_at: '2029-12-01T10:00:00' },
          { id: 'u2', status: 'in_progress', body: 'Started', created_at: '2030-01-01T01:00:00' },
        ],
      },
      'page00000001',
    );
    expect(incident).toMatchObject({
      status: 'in_progress',
      impact: 'none',
      body: null,
      components: { cmp000000001: 'operational', cmp000000002: 'under_maintenance' },
      scheduled_for: '2030-01-01T01:00:00.000Z',
      scheduled_until: '2030-01-01T03:00:00.000Z',
      scheduled_auto_completed: false,
      scheduled_auto_in_progress: true,
      auto_transition_to_maintenance_state: true,
      reminder_intervals: '[3, 6]',
      metadata: {},
      created_at: '2029-12-01T10:00:00.123Z',
      updated_at: '2029-12-01T10:00:00.123Z',
      resolved_at: null,
    });
    expect(incident.incident_updates.map((u) => [u.id, u.incident_id])).toEqual([
      ['u2', 'mnt000000001'],
      ['u1', 'mnt000000001'],
    ]);
  });

  it('fills what a page or component leaves null, and refuses an answer that is no object', () => {
    expect(
      toPage({ id: 'p1', name: 'P', language: null, time_zone: null, url: '', allow_rss_atom_feeds: null }),
    ).toMatchObject({
      language: 'en',
      time_zone: 'UTC',
      url: null,
      allow_rss_atom_feeds: true,
      hidden_from_search: false,
    });
    expect(
      toComponent({ id: 'cmp7', name: 'C', status: null, showcase: null, group_id: '' }, 'p1'),
    ).toMatchObject({
      id: 'cmp7',
      page_id: 'p1',
      status: 'operational',
      showcase: true,
      group: false,
      group_id: null,
    });
    expect(() => record([], 'a page')).toThrow(expect.objectContaining({ code: 'UPSTREAM_ERROR' }));
  });
});
