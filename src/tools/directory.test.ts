/**
 * The directory toolset on the embedded provider, through a real MCP client, on SQLite and on
 * PostgreSQL: the PagerDuty seed's semantics and messages, and the seed's bugs fixed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, openHarness } from '../../test/helpers/harness.js';
import { STORES, storeAvailable } from '../../test/helpers/stores.js';

const SEE = 'See `docs://tools` for more information.';

describe.each(STORES)('directory tools on $kind', (store) => {
  let h: Harness;
  let ann: Harness;
  let bob: Harness;
  let cid: Harness;
  const id: Record<string, string> = {};
  let skip = false;

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    h = await openHarness({ store: await store.open() });
    for (const [key, name, email] of [
      ['ann', 'Ann Lee', 'ann@example.com'],
      ['bob', 'Bob Stone', 'Bob@Example.com'],
      ['cid', 'Cid 100%_done', 'cid@example.com'],
    ] as const) {
      id[key] = (await h.ok('create_user', { name, email })).users[0].id;
    }
    id.payments = (await h.ok('create_team', { name: 'Payments', member_ids: [id.ann, id.bob] })).teams[0].id;
    id.web = (await h.ok('create_team', { name: 'Web', member_ids: [id.bob] })).teams[0].id;
    id.checkout = (
      await h.ok('create_service', { name: 'Checkout', team_ids: [id.payments] })
    ).services[0].id;
    id.site = (await h.ok('create_service', { name: 'Site', team_ids: [id.web] })).services[0].id;
    ann = await h.as({ userEmail: 'ann@example.com' });
    bob = await h.as({ userEmail: 'bob@example.com' });
    cid = await h.as({ userId: id.cid });
  });
  afterAll(async () => {
    await h?.close();
  });

  const names = (body: Record<string, any>, key = 'users') =>
    (body[key] as { name: string }[]).map((u) => u.name).sort();

  it('lists the members of the current user’s teams by default', async ({ skip: s }) => {
    if (skip) s();
    expect(names(await ann.ok('get_users'))).toEqual(['Ann Lee', 'Bob Stone']);
    expect(names(await bob.ok('get_users'))).toEqual(['Ann Lee', 'Bob Stone']);
  });

  it('answers a user with no teams with nobody, saying why — never the whole directory', async ({
    skip: s,
  }) => {
    if (skip) s();
    const users = await cid.ok('get_users');
    expect(users.users).toEqual([]);
    expect(users.metadata.note).toMatch(/belongs to no team/);
    const services = await cid.ok('get_services');
    expect(services.services).toEqual([]);
    expect((await cid.ok('build_user_context')).user_contexts[0]).toMatchObject({
      user_id: id.cid,
      team_ids: [],
      service_ids: [],
    });
  });

  it('without a current user, reads cover the whole directory and say so', async ({ skip: s }) => {
    if (skip) s();
    const users = await h.ok('get_users');
    expect(names(users)).toEqual(['Ann Lee', 'Bob Stone', 'Cid 100%_done']);
    expect(users.metadata.note).toMatch(
      /No current user is set \(VIGIL_USER_EMAIL.*covers the whole account/,
    );
    const stranger = await h.as({ userEmail: 'nobody@example.com' });
    const services = await stranger.ok('get_services');
    expect(names(services, 'services')).toEqual(['Checkout', 'Site']);
    expect(services.metadata.note).toMatch(
      /nobody@example.com\) is not in the directory \(add them with create_user\)/,
    );
    const context = await stranger.ok('build_user_context');
    expect(context.user_contexts).toEqual([]);
    expect(context.metadata.note).toMatch(/not in the directory.*Set VIGIL_USER_EMAIL/);
  });

  it('keeps the seed’s validation messages', async ({ skip: s }) => {
    if (skip) s();
    const cases: [string, Record<string, unknown>, string][] = [
      [
        'get_users',
        { user_id: id.ann, query: 'a' },
        `When \`user_id\` is provided, other filters (like team_ids, query, limit) cannot be used. ${SEE}`,
      ],
      [
        'get_users',
        { team_ids: [id.web] },
        `Cannot specify team_ids when current_user_context is True. ${SEE}`,
      ],
      [
        'get_users',
        { current_user_context: false },
        `Must specify at least team_ids when current_user_context is False. ${SEE}`,
      ],
      [
        'get_teams',
        { team_id: id.web, limit: 5 },
        `When \`team_id\` is provided, other filters (like query, limit) cannot be used. ${SEE}`,
      ],
      [
        'get_services',
        { service_id: id.site, team_ids: [id.web] },
        `When \`service_id\` is provided, other filters (like team_ids, query, limit) cannot be used. ${SEE}`,
      ],
      [
        'get_services',
        { team_ids: [id.web] },
        `Cannot specify team_ids when current_user_context is True. ${SEE}`,
      ],
      [
        'get_services',
        { current_user_context: false },
        `Must specify at least team_ids when current_user_context is False. ${SEE}`,
      ],
      [
        'get_users',
        { user_id: 'bad-id!' },
        "Invalid user_id format: 'bad-id!'. Must contain only alphanumeric characters.",
      ],
    ];
    for (const [tool, args, message] of cases) {
      const r = await ann.call(tool, args);
      expect(r.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
      expect(r.body.error).toMatchObject({ code: 'VALIDATION_ERROR', message });
    }
  });

  it('filters by teams and matches names and emails case-insensitively, wildcards literal', async ({
    skip: s,
  }) => {
    if (skip) s();
    expect(names(await h.ok('get_users', { current_user_context: false, team_ids: [id.web] }))).toEqual([
      'Bob Stone',
    ]);
    expect(names(await ann.ok('get_users', { query: 'EXAMPLE.COM' }))).toEqual(['Ann Lee', 'Bob Stone']);
    expect(names(await ann.ok('get_users', { query: 'stone' }))).toEqual(['Bob Stone']);
    expect(names(await h.ok('get_teams', { query: '%' }), 'teams')).toEqual([]);
    const all = [id.payments, id.web];
    expect(
      names(await h.ok('get_users', { current_user_context: false, team_ids: all, query: '_' })),
    ).toEqual([]);
  });

  it('gets one by id, plural key, with PagerDuty field names', async ({ skip: s }) => {
    if (skip) s();
    const body = await h.ok('get_users', { user_id: id.bob });
    expect(body.metadata).toMatchObject({ count: 1, description: 'Found 1 result for resource type users' });
    expect(body.users[0]).toMatchObject({
      id: id.bob,
      type: 'user',
      email: 'Bob@Example.com',
      time_zone: 'UTC',
      teams: [
        { id: id.payments, type: 'team_reference', summary: 'Payments' },
        { id: id.web, type: 'team_reference', summary: 'Web' },
      ],
    });
    const team = (await h.ok('get_teams', { team_id: id.payments })).teams[0];
    expect(team.members.map((m: { summary: string }) => m.summary)).toEqual(['Ann Lee', 'Bob Stone']);
    const missing = await h.call('get_users', { user_id: 'PNOPE123' });
    expect(missing.body.error).toMatchObject({ code: 'NOT_FOUND', details: { parameter: 'user_id' } });
  });

  it('lists services of the user’s teams, each with a 32-character integration key', async ({ skip: s }) => {
    if (skip) s();
    const services = (await ann.ok('get_services')).services;
    expect(services.map((x: { name: string }) => x.name)).toEqual(['Checkout']);
    expect(services[0].integration_key).toMatch(/^[0-9a-f]{32}$/);
    expect(services[0].teams).toEqual([{ id: id.payments, type: 'team_reference', summary: 'Payments' }]);
  });

  it('builds the user context from teams, their services and policies targeting the user', async ({
    skip: s,
  }) => {
    if (skip) s();
    const { db } = h.rt.embedded;
    const at = new Date().toISOString();
    await db
      .insertInto('escalation_policies')
      .values({
        id: 'PEP1',
        name: 'Primary',
        description: null,
        num_loops: 0,
        created_at: at,
        updated_at: at,
      })
      .execute();
    await db
      .insertInto('escalation_rules')
      .values({ id: 'PER1', policy_id: 'PEP1', position: 0, delay_minutes: 30 })
      .execute();
    await db
      .insertInto('escalation_targets')
      .values({ rule_id: 'PER1', position: 0, target_type: 'user_reference', target_id: String(id.bob) })
      .execute();
    const ctx = (await bob.ok('build_user_context')).user_contexts[0];
    expect(ctx).toEqual({
      user_id: id.bob,
      name: 'Bob Stone',
      email: 'Bob@Example.com',
      team_ids: [id.payments, id.web].sort(),
      service_ids: [id.checkout, id.site].sort(),
      escalation_policy_ids: ['PEP1'],
    });
    const withPolicy = await h.ok('update_service', { service_id: id.site, escalation_policy_id: 'PEP1' });
    expect(withPolicy.services[0].escalation_policy).toEqual({
      id: 'PEP1',
      type: 'escalation_policy_reference',
      summary: 'Primary',
    });
    const cleared = await h.ok('update_service', { service_id: id.site, escalation_policy_id: null });
    expect(cleared.services[0].escalation_policy).toBeUndefined();
  });

  it('selects fields with include and rejects unknown ones with a suggestion', async ({ skip: s }) => {
    if (skip) s();
    const body = await ann.ok('get_users', { include: ['id', 'email'] });
    for (const u of body.users) expect(Object.keys(u).sort()).toEqual(['email', 'id']);
    const r = await ann.call('get_users', { include: ['emial'] });
    expect(r.body.error.code).toBe('VALIDATION_ERROR');
    expect(r.body.error.message).toContain("'emial' -> 'email'");
  });
});

describe.each(STORES)('directory writes and paging on $kind', (store) => {
  let h: Harness;
  let skip = false;
  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (!skip) h = await openHarness({ store: await store.open() });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('pages with next_cursor through every result exactly once', async ({ skip: s }) => {
    if (skip) s();
    const ids: string[] = [];
    for (let i = 0; i < 25; i++)
      ids.push(
        (await h.ok('create_user', { name: `Pager ${String(i).padStart(2, '0')}`, email: `p${i}@x.io` }))
          .users[0].id,
      );
    const team = (await h.ok('create_team', { name: 'Pagers', member_ids: ids })).teams[0].id;
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const body = await h.ok('get_users', {
        current_user_context: false,
        team_ids: [team],
        limit: 10,
        ...(cursor && { cursor }),
      });
      expect(body.users.length).toBeLessThanOrEqual(10);
      seen.push(...body.users.map((u: { id: string }) => u.id));
      cursor = body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...ids].sort());
    const first = await h.ok('get_users', { current_user_context: false, team_ids: [team], limit: 10 });
    const other = await h.call('get_users', {
      current_user_context: false,
      team_ids: [team],
      query: 'x',
      cursor: first.next_cursor,
    });
    expect(other.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { parameter: 'cursor' } });
  });

  it('reports conflicts and unknown references without writing anything', async ({ skip: s }) => {
    if (skip) s();
    const a = (await h.ok('create_user', { name: 'Dup', email: 'dup@x.io' })).users[0].id;
    expect((await h.call('create_user', { name: 'Dup 2', email: 'DUP@x.io' })).body.error).toMatchObject({
      code: 'CONFLICT',
      details: { parameter: 'email' },
    });
    const team = (await h.ok('create_team', { name: 'Solo', member_ids: [a] })).teams[0];
    const bad = await h.call('update_team', {
      team_id: team.id,
      name: 'Renamed',
      member_ids: [a, 'PMISSING'],
    });
    expect(bad.body.error).toMatchObject({
      code: 'NOT_FOUND',
      details: { parameter: 'member_ids', id: 'PMISSING' },
    });
    const after = (await h.ok('get_teams', { team_id: team.id })).teams[0];
    expect(after.name).toBe('Solo');
    expect(after.members.map((m: { id: string }) => m.id)).toEqual([a]);
    expect((await h.call('create_team', { name: 'solo' })).body.error.code).toBe('CONFLICT');
    expect(
      (await h.call('create_service', { name: 'S', escalation_policy_id: 'PNOPE' })).body.error,
    ).toMatchObject({
      code: 'NOT_FOUND',
      details: { parameter: 'escalation_policy_id' },
    });
    expect(
      (await h.ok('get_services', { current_user_context: false, team_ids: [team.id] })).services,
    ).toEqual([]);
    expect((await h.call('delete_user', { user_id: 'PNOPE' })).body.error.code).toBe('NOT_FOUND');
  });

  it('updates users, replaces contact methods, and deleting a user leaves their teams', async ({
    skip: s,
  }) => {
    if (skip) s();
    const u = (await h.ok('create_user', { name: 'Eve', email: 'eve@x.io', time_zone: 'Europe/Berlin' }))
      .users[0];
    const team = (await h.ok('create_team', { name: 'Eve team', member_ids: [u.id] })).teams[0];
    const updated = (
      await h.ok('update_user', {
        user_id: u.id,
        contact_methods: [
          { type: 'email', address: 'eve@x.io', label: 'Work' },
          { type: 'webhook', address: 'https://hooks.example.com/eve' },
        ],
      })
    ).users[0];
    expect(updated.time_zone).toBe('Europe/Berlin');
    expect(updated.contact_methods.map((m: { type: string }) => m.type)).toEqual([
      'email_contact_method',
      'webhook_contact_method',
    ]);
    expect(
      (await h.call('update_user', { user_id: u.id, time_zone: 'Mars/Olympus' })).body.error,
    ).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { parameter: 'time_zone' },
    });
    expect(
      (
        await h.call('update_user', {
          user_id: u.id,
          contact_methods: [{ type: 'webhook', address: 'not a url' }],
        })
      ).body.error,
    ).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { parameter: 'contact_methods[0].address' },
    });
    expect((await h.call('update_user', { user_id: u.id })).body.error.code).toBe('VALIDATION_ERROR');
    const deleted = await h.ok('delete_user', { user_id: u.id });
    expect(deleted.users[0].id).toBe(u.id);
    expect((await h.ok('get_teams', { team_id: team.id })).teams[0].members).toEqual([]);
  });

  it('regenerates an integration key on request', async ({ skip: s }) => {
    if (skip) s();
    const svc = (await h.ok('create_service', { name: 'Keyed' })).services[0];
    const same = (await h.ok('update_service', { service_id: svc.id, description: 'd' })).services[0];
    expect(same.integration_key).toBe(svc.integration_key);
    const fresh = (await h.ok('update_service', { service_id: svc.id, regenerate_integration_key: true }))
      .services[0];
    expect(fresh.integration_key).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh.integration_key).not.toBe(svc.integration_key);
  });
});

describe('modes and the response budget', () => {
  it('answers READ_ONLY for a write in read-only mode and writes nothing', async () => {
    const store = await STORES[0]!.open();
    const ro = await openHarness({ store, env: { VIGIL_MODE: 'read_only' } });
    try {
      const r = await ro.call('create_user', { name: 'X', email: 'x@x.io' });
      expect(r.body.error.code).toBe('READ_ONLY');
      expect((await ro.client.listTools()).tools.map((t) => t.name)).not.toContain('create_user');
      expect(await ro.rt.embedded.ports.directory.findUserByEmail('x@x.io')).toBeUndefined();
    } finally {
      await ro.close();
    }
  });

  it('cuts a list over VIGIL_MAX_RESPONSE_TOKENS and continues with next_cursor', async () => {
    const h = await openHarness({
      store: await STORES[0]!.open(),
      env: { VIGIL_MAX_RESPONSE_TOKENS: '1000' },
    });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 40; i++)
        ids.push(
          (await h.ok('create_user', { name: `Budget ${String(i).padStart(2, '0')}`, email: `b${i}@x.io` }))
            .users[0].id,
        );
      const team = (await h.ok('create_team', { name: 'Budget', member_ids: ids })).teams[0].id;
      const args = { current_user_context: false, team_ids: [team] };
      const first = await h.ok('get_users', args);
      expect(first.metadata.truncated).toBe(true);
      expect(first.metadata.hint).toMatch(/query|team_ids/);
      expect(JSON.stringify(first).length).toBeLessThanOrEqual(4000);
      const seen = first.users.map((u: { id: string }) => u.id);
      let cursor = first.next_cursor;
      while (cursor) {
        const next = await h.ok('get_users', { ...args, cursor });
        seen.push(...next.users.map((u: { id: string }) => u.id));
        cursor = next.next_cursor;
      }
      expect(seen.sort()).toEqual(ids.sort());
    } finally {
      await h.close();
    }
  });
});
