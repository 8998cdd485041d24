/**
 * The escalation scenario on SQLite and PostgreSQL, with a controlled clock and a real webhook
 * receiver on loopback: trigger through the Events API → level 1 paged (signature verified) → no
 * acknowledgement → level 2 paged at the right minute → acknowledged, escalation stops →
 * resolved by dedup key. Then the same across a restart, retries, and num_loops.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STORES, storeAvailable } from '../../../../test/helpers/stores.js';
import { verifyWebhook } from '../../../../test/helpers/webhooks.js';
import type { Clock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { createEmbeddedProvider, type EmbeddedProvider } from '../index.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const MINUTE = 60_000;

describe.each(STORES)('escalation on $kind', (store) => {
  let receiver: Server;
  let base = '';
  let received: Received[] = [];
  let t = Date.parse('2026-03-29T00:30:00Z');
  const clock: Clock = { now: () => t };
  let opts: { dataDir: string; databaseUrl?: string };
  let p: EmbeddedProvider;
  let skip = false;
  const secrets: Record<string, string> = {};
  let key = '';

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body });
        res.writeHead(req.url === '/broken' ? 500 : 204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    opts = await store.open();
    p = await createEmbeddedProvider({ ...opts, log: silentLogger(), clock });
    const { directory, escalation } = p.ports;
    const user = async (name: string, hooks: string[]) => {
      const u = await directory.createUser({
        name,
        email: `${name.toLowerCase()}@x.io`,
        contact_methods: hooks.map((h) => ({ type: 'webhook' as const, address: `${base}${h}` })),
      });
      for (const m of u.contact_methods) secrets[m.address as string] = m.signing_secret as string;
      return u.id;
    };
    const ann = await user('Ann', ['/broken', '/ann']);
    const bob = await user('Bob', ['/bob']);
    const policy = await escalation.createPolicy({
      name: 'Primary',
      escalation_rules: [
        { escalation_delay_in_minutes: 10, targets: [{ id: ann, type: 'user_reference' }] },
        { escalation_delay_in_minutes: 20, targets: [{ id: bob, type: 'user_reference' }] },
      ],
    });
    key = (await directory.createService({ name: 'Database', escalation_policy_id: policy.id }))
      .integration_key as string;
  });
  afterAll(async () => {
    await p?.close();
    receiver?.close();
  });
  beforeEach(() => {
    received = [];
  });

  const trigger = (dedup: string) =>
    p.ingest({
      routing_key: key,
      event_action: 'trigger',
      dedup_key: dedup,
      payload: { summary: `Disk full ${dedup}`, source: 'db', severity: 'critical' },
      links: [],
      images: [],
    });
  const paths = () => received.map((r) => r.path).sort();
  /** Pages to people, leaving out the retries of Ann's broken webhook (tested on their own). */
  const pages = () => paths().filter((x) => x !== '/broken');

  it('pages level 1 at once with a verifiable signature, level 2 at the right minute, and stops on acknowledge', async ({
    skip: s,
  }) => {
    if (skip) s();
    expect((await trigger('a')).status).toBe(202);
    await p.engine.tick();
    expect(paths()).toEqual(['/ann', '/broken']);
    const ann = received.find((r) => r.path === '/ann') as Received;
    const body = JSON.parse(ann.body);
    expect(body).toMatchObject({
      event: 'incident.triggered',
      level: 1,
      incident: { title: 'Disk full a', status: 'triggered' },
    });
    expect(verifyWebhook(secrets[`${base}/ann`] as string, ann.headers, ann.body)).toMatch(/^P/);
    expect(() => verifyWebhook('whsec_d3Jvbmc=', ann.headers, ann.body)).toThrow();

    received = [];
    t += 9 * MINUTE;
    await p.engine.tick();
    expect(pages()).toEqual([]);
    t += 1 * MINUTE;
    await p.engine.tick();
    expect(pages()).toEqual(['/bob']);
    expect(JSON.parse((received.find((r) => r.path === '/bob') as Received).body)).toMatchObject({
      event: 'incident.escalated',
      level: 2,
    });
    const incident = (await p.ports.incidents.findOpen(
      (
        await p.ports.directory.findServiceByIntegrationKey(key)
      )?.id as string,
      'a',
    ))!;
    expect(incident.assignments.map((a) => a.assignee.summary)).toEqual(['Bob']);

    await p.ports.incidents.acknowledge(incident.id, {
      type: 'user',
      id: incident.assignments[0]!.assignee.id,
    });
    received = [];
    t += 60 * MINUTE;
    await p.engine.tick();
    expect(paths().filter((x) => x !== '/broken')).toEqual([]);
    expect(
      (await p.ingest({ routing_key: key, event_action: 'resolve', dedup_key: 'a', links: [], images: [] }))
        .status,
    ).toBe(202);
    expect((await p.ports.incidents.get(incident.id))?.status).toBe('resolved');
    const story = (await p.ports.incidents.timeline(incident.id, 100, 0)).items.map(
      (e) => `${e.type}: ${e.summary}`,
    );
    expect(story).toEqual([
      'trigger_log_entry: Triggered: Disk full a',
      'assign_log_entry: Assigned to level 1: Ann',
      'notify_log_entry: Notified by webhook (incident.triggered)',
      'escalate_log_entry: Escalated to level 2',
      'assign_log_entry: Assigned to level 2: Bob',
      'notify_log_entry: Notified by webhook (incident.escalated)',
      'acknowledge_log_entry: Acknowledged',
      // Ann's page to her broken address, waiting to be tried again, is of no use any more.
      expect.stringMatching(
        /^notify_log_entry: Notification by webhook to Ann \(due .*\) cancelled: the incident was acknowledged first$/,
      ),
      'resolve_log_entry: Resolved',
    ]);
  });

  it('gives up on a failing channel after five attempts without holding the others', async ({ skip: s }) => {
    if (skip) s();
    await trigger('g');
    await p.engine.tick();
    const first = await p.db
      .selectFrom('deliveries')
      .selectAll()
      .where('address', 'like', '%/broken')
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    for (let i = 0; i < 6; i++) {
      t += 20 * 60 * MINUTE;
      await p.engine.tick();
    }
    const after = await p.db
      .selectFrom('deliveries')
      .selectAll()
      .where('id', '=', first.id)
      .executeTakeFirstOrThrow();
    expect(after).toMatchObject({
      status: 'failed',
      attempts: 5,
      last_error: expect.stringContaining('HTTP 500'),
    });
    const delivered = await p.db
      .selectFrom('deliveries')
      .select('address')
      .where('incident_id', '=', first.incident_id)
      .where('status', '=', 'delivered')
      .execute();
    expect(delivered.map((d) => d.address.replace(base, '')).sort()).toEqual(['/ann', '/bob']);
  });

  it('resumes exactly where it was after a restart: no level skipped, none paged twice', async ({
    skip: s,
  }) => {
    if (skip) s();
    await trigger('b');
    await p.engine.tick();
    expect(paths()).toEqual(['/ann', '/broken']);
    await p.close();
    p = await createEmbeddedProvider({ ...opts, log: silentLogger(), clock });
    received = [];
    t += 5 * MINUTE;
    await p.engine.tick();
    expect(pages()).toEqual([]);
    t += 5 * MINUTE;
    await Promise.all([p.engine.tick(), p.engine.tick()]);
    expect(pages()).toEqual(['/bob']);
    received = [];
    t += 20 * MINUTE;
    await p.engine.tick();
    // num_loops is 0: after the last level's time the escalation is exhausted, nobody re-paged.
    expect(pages()).toEqual([]);
    const state = await p.db
      .selectFrom('incident_escalations')
      .select('state')
      .where('state', '=', 'exhausted')
      .execute();
    expect(state.length).toBeGreaterThanOrEqual(1);
  });

  it('escalates on request, reassigns, and wakes a snoozed incident into a fresh escalation', async ({
    skip: s,
  }) => {
    if (skip) s();
    const { incidents, directory } = p.ports;
    await trigger('c');
    await p.engine.tick();
    const serviceId = (await directory.findServiceByIntegrationKey(key))?.id as string;
    const incident = (await incidents.findOpen(serviceId, 'c'))!;
    const ann = incident.assignments[0]!.assignee.id;
    const bob = (await directory.findUserByEmail('bob@x.io'))!.id;
    received = [];
    const escalated = await incidents.escalate(incident.id, 2, { type: 'user', id: ann });
    expect(escalated.assignments.map((a) => a.assignee.id)).toEqual([bob]);
    await p.engine.tick();
    expect(pages()).toEqual(['/bob']);
    await expect(incidents.escalate(incident.id, 3, { type: 'user', id: ann })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { parameter: 'escalation_level' },
    });
    // Level 2 has its own 20 minutes from now; nothing earlier.
    received = [];
    t += 19 * MINUTE;
    await p.engine.tick();
    expect(pages()).toEqual([]);

    const reassigned = await incidents.reassign(incident.id, [ann], { type: 'user', id: bob });
    expect(reassigned.assignments.map((a) => a.assignee.id)).toEqual([ann]);
    await p.engine.tick();
    expect(pages()).toEqual(['/ann']);
    received = [];
    t += 60 * MINUTE;
    await p.engine.tick();
    expect(pages()).toEqual([]);

    await expect(incidents.snooze(incident.id, 600, { type: 'user', id: ann })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await incidents.acknowledge(incident.id, { type: 'user', id: ann });
    const snoozed = await incidents.snooze(incident.id, 600, { type: 'user', id: ann });
    expect(snoozed.snoozed_until).toBe(new Date(t + 600_000).toISOString());
    t += 9 * MINUTE;
    await p.engine.tick();
    expect((await incidents.get(incident.id))?.status).toBe('acknowledged');
    t += 1 * MINUTE;
    await p.engine.tick();
    const woke = (await incidents.get(incident.id))!;
    expect(woke).toMatchObject({ status: 'triggered', acknowledgements: [] });
    expect(woke.snoozed_until).toBeUndefined();
    expect(pages()).toEqual(['/ann']);
    const story = (await incidents.timeline(incident.id, 100, 0)).items.map((e) => e.type);
    expect(story).toEqual(
      expect.arrayContaining([
        'escalate_log_entry',
        'reassign_log_entry',
        'snooze_log_entry',
        'acknowledge_log_entry',
      ]),
    );
    await incidents.resolve(incident.id, { type: 'user', id: ann });
    await expect(incidents.reassign(incident.id, [bob], { type: 'user', id: ann })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('posts a text message to a Slack-compatible webhook', async ({ skip: s }) => {
    if (skip) s();
    const { directory, escalation } = p.ports;
    const dee = await directory.createUser({
      name: 'Dee',
      email: 'dee@x.io',
      contact_methods: [{ type: 'slack', address: `${base}/slack` }],
    });
    const policy = await escalation.createPolicy({
      name: 'Chat',
      escalation_rules: [
        { escalation_delay_in_minutes: 5, targets: [{ id: dee.id, type: 'user_reference' }] },
      ],
    });
    const chatKey = (await directory.createService({ name: 'Chatty', escalation_policy_id: policy.id }))
      .integration_key as string;
    await p.ingest({
      routing_key: chatKey,
      event_action: 'trigger',
      payload: { summary: 'Cache cold', source: 'c', severity: 'warning' },
      links: [],
      images: [],
    });
    await p.engine.tick();
    const slack = received.find((r) => r.path === '/slack') as Received;
    const text = JSON.parse(slack.body).text as string;
    // The text, and Block Kit buttons (channels/slack.ts); Slack-compatible servers show the text.
    expect(Object.keys(JSON.parse(slack.body))).toEqual(['text', 'blocks']);
    // The person's one-tap link (the responder page) is in the text too.
    expect(text).toMatch(
      /^\[#\d+\] Cache cold \(Chatty, low urgency\) — acknowledge: http:\/\/127\.0\.0\.1:5000\/r\/[\w-]+\.[\w-]+$/,
    );
  });

  it('loops num_loops times through the levels', async ({ skip: s }) => {
    if (skip) s();
    const { directory, escalation } = p.ports;
    const cy = await directory.createUser({
      name: 'Cy',
      email: 'cy@x.io',
      contact_methods: [{ type: 'webhook', address: `${base}/cy` }],
    });
    const policy = await escalation.createPolicy({
      name: 'Looping',
      num_loops: 2,
      escalation_rules: [
        { escalation_delay_in_minutes: 5, targets: [{ id: cy.id, type: 'user_reference' }] },
      ],
    });
    const loopKey = (await directory.createService({ name: 'Loopy', escalation_policy_id: policy.id }))
      .integration_key as string;
    await p.ingest({
      routing_key: loopKey,
      event_action: 'trigger',
      payload: { summary: 'x', source: 's', severity: 'error' },
      links: [],
      images: [],
    });
    for (let i = 0; i < 5; i++) {
      await p.engine.tick();
      t += 5 * MINUTE;
    }
    expect(received.filter((r) => r.path === '/cy')).toHaveLength(3);
  });

  it('escalates the rest of a burst when one incident fails, and that one once it is fixed', async ({
    skip: s,
  }) => {
    if (skip) s();
    for (const k of ['burst-1', 'burst-2', 'burst-3']) await trigger(k);
    await p.engine.tick();
    const service = (await p.ports.directory.findServiceByIntegrationKey(key))?.id as string;
    const broken = (await p.ports.incidents.findOpen(service, 'burst-2'))?.id as string;
    // A real failure inside the store: writing this incident's escalation entry is refused.
    if (store.kind === 'sqlite') {
      await sql
        .raw(
          `CREATE TRIGGER poison BEFORE INSERT ON incident_log WHEN NEW.incident_id = '${broken}' AND NEW.type = 'escalate_log_entry' BEGIN SELECT RAISE(ABORT, 'poisoned'); END`,
        )
        .execute(p.db);
    } else {
      await sql
        .raw(
          `CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN IF NEW.incident_id = '${broken}' AND NEW.type = 'escalate_log_entry' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
        )
        .execute(p.db);
      await sql
        .raw('CREATE TRIGGER poison BEFORE INSERT ON incident_log FOR EACH ROW EXECUTE FUNCTION poison()')
        .execute(p.db);
    }
    received = [];
    t += 10 * MINUTE;
    await p.engine.tick();
    await p.engine.tick();
    const titles = () =>
      received.filter((r) => r.path === '/bob').map((r) => JSON.parse(r.body).incident.title as string);
    expect(titles().sort()).toEqual(['Disk full burst-1', 'Disk full burst-3']);
    await sql
      .raw(store.kind === 'sqlite' ? 'DROP TRIGGER poison' : 'DROP TRIGGER poison ON incident_log')
      .execute(p.db);
    received = [];
    await p.engine.tick();
    expect(titles()).toEqual(['Disk full burst-2']);
  });

  it('never posts to a cloud metadata address, whatever a webhook says', async ({ skip: s }) => {
    if (skip) s();
    const { directory, escalation } = p.ports;
    const metadata = 'http://169.254.169.254/latest/meta-data/';
    await expect(
      directory.createUser({
        name: 'Mallory',
        email: 'mallory@x.io',
        contact_methods: [{ type: 'webhook', address: metadata }],
      }),
    ).rejects.toMatchObject({ details: { parameter: 'contact_methods[0].address' } });
    // Saved before that check existed: the sender refuses it too, for good.
    const mallory = await directory.createUser({
      name: 'Mallory',
      email: 'mallory@x.io',
      contact_methods: [{ type: 'webhook', address: 'http://mallory.example.com/' }],
    });
    await p.db
      .updateTable('contact_methods')
      .set({ address: metadata })
      .where('user_id', '=', mallory.id)
      .execute();
    const policy = await escalation.createPolicy({
      name: 'Sneaky',
      escalation_rules: [
        { escalation_delay_in_minutes: 5, targets: [{ id: mallory.id, type: 'user_reference' }] },
      ],
    });
    const sneaky = await directory.createService({ name: 'Sneaky', escalation_policy_id: policy.id });
    await p.ingest({
      routing_key: sneaky.integration_key as string,
      event_action: 'trigger',
      payload: { summary: 'x', source: 's', severity: 'error' },
      links: [],
      images: [],
    });
    await p.engine.tick();
    const delivery = await p.db
      .selectFrom('deliveries')
      .select(['status', 'last_error'])
      .where('user_id', '=', mallory.id)
      .executeTakeFirstOrThrow();
    expect(delivery.status).toBe('failed');
    expect(delivery.last_error).toBe(
      '169.254.169.254 is a cloud metadata address; Vigil never connects there.',
    );
  });
});
