/**
 * Events API ingest on the embedded store, on SQLite and PostgreSQL: triggers that arrive
 * together are committed as one batch and dedup exactly as one by one would; one bad event
 * fails alone; unknown routing keys are refused per event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, storeAvailable } from '../../../test/helpers/stores.js';
import type { AlertEvent } from '../../core/events-v2.js';
import { silentLogger } from '../../core/log.js';
import { createEventIngest, type EventIngest, type IngestIncidents } from './events.js';
import { createEmbeddedProvider, type EmbeddedProvider } from './index.js';
import type { IncidentRepository } from './store/incidents-repo.js';

describe.each(STORES)('Events API ingest on $kind', (store) => {
  let p: EmbeddedProvider;
  let ingest: EventIngest;
  /** Size of every batch the ingest handed the store. */
  const batches: number[] = [];
  /** Events that took the one-by-one path. */
  let alone = 0;
  /** Set to make the next batch fail as a lost race for a dedup key does on PostgreSQL. */
  let loseNextRace = false;
  let key = '';
  let serviceId = '';
  let skip = false;

  const trigger = (dedupKey: string, extra: Partial<AlertEvent> = {}): AlertEvent => ({
    routing_key: key,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: { summary: `Disk full (${dedupKey})`, source: 'db-1', severity: 'critical' },
    links: [],
    images: [],
    ...extra,
  });
  const triggerInput = (incidentKey: string) => ({
    title: 'Opened elsewhere',
    urgency: 'high' as const,
    incidentKey,
    alert: { summary: 'Opened elsewhere', source: 'other', severity: 'critical' },
  });
  const openWithKey = (incidentKey: string, service = serviceId) =>
    p.db
      .selectFrom('incidents')
      .select(['id', 'number', 'status'])
      .where('service_id', '=', service)
      .where('incident_key', '=', incidentKey)
      .execute();
  const alertCount = async (incidentId: string) =>
    Number(
      (
        await p.db
          .selectFrom('incident_alerts')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('incident_id', '=', incidentId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const timelineTypes = async (incidentId: string) =>
    (await p.ports.incidents.timeline(incidentId, 100, 0)).items.map((e) => e.type);

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    p = await createEmbeddedProvider({ ...(await store.open()), log: silentLogger() });
    const real = p.ports.incidents as IncidentRepository;
    // The real store, with each batch's size recorded.
    const incidents: IngestIncidents = Object.assign(Object.create(real) as IncidentRepository, {
      triggerBatch: async (items: Parameters<IncidentRepository['triggerBatch']>[0]) => {
        batches.push(items.length);
        if (loseNextRace) {
          loseNextRace = false;
          // What PostgreSQL raises once the transaction that opened the key has committed.
          await real.trigger({
            ...triggerInput(items[0]?.incidentKey as string),
            serviceId,
            by: { type: 'service', id: serviceId },
          });
          throw Object.assign(
            new Error('duplicate key value violates unique constraint "incidents_open_key"'),
            {
              code: '23505',
            },
          );
        }
        return real.triggerBatch(items);
      },
      trigger: (input: Parameters<IncidentRepository['trigger']>[0]) => {
        alone++;
        return real.trigger(input);
      },
    });
    ingest = createEventIngest({ directory: p.ports.directory, incidents });
    const service = await p.ports.directory.createService({ name: 'Database' });
    key = service.integration_key as string;
    serviceId = service.id;
  });
  afterAll(async () => {
    await p?.close();
  });

  it('opens one incident for triggers with one new key in one batch, logged in order', async ({
    skip: s,
  }) => {
    if (skip) s();
    batches.length = 0;
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => ingest(trigger('storm'))));
    expect(batches).toEqual([10]);
    expect(outcomes.map((o) => o.status)).toEqual(Array(10).fill(202));
    const [incident, ...others] = await openWithKey('storm');
    expect(others).toEqual([]);
    expect(incident?.status).toBe('triggered');
    expect(await alertCount(incident?.id as string)).toBe(10);
    expect(await timelineTypes(incident?.id as string)).toEqual([
      'trigger_log_entry',
      ...Array(9).fill('alert_log_entry'),
    ]);
  });

  it('joins the open incident from an earlier batch, and opens a new one once it is resolved', async ({
    skip: s,
  }) => {
    if (skip) s();
    await ingest(trigger('disk'));
    const [first] = await openWithKey('disk');
    batches.length = 0;
    await Promise.all([ingest(trigger('disk')), ingest(trigger('disk')), ingest(trigger('other'))]);
    expect(batches).toEqual([3]);
    expect(await openWithKey('disk')).toHaveLength(1);
    expect(await alertCount(first?.id as string)).toBe(3);
    expect(await timelineTypes(first?.id as string)).toEqual([
      'trigger_log_entry',
      'alert_log_entry',
      'alert_log_entry',
    ]);

    await p.ports.incidents.resolve(first?.id as string, { type: 'service', id: serviceId });
    await Promise.all([ingest(trigger('disk')), ingest(trigger('disk'))]);
    const all = await openWithKey('disk');
    expect(all.map((i) => i.status).sort()).toEqual(['resolved', 'triggered']);
    const reopened = all.find((i) => i.status === 'triggered');
    expect(await alertCount(reopened?.id as string)).toBe(2);
    // Numbers stay unique across batches.
    const numbers = (await p.db.selectFrom('incidents').select('number').execute()).map((r) => r.number);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('keeps dedup per service: one key on two services is two incidents', async ({ skip: s }) => {
    if (skip) s();
    const other = await p.ports.directory.createService({ name: 'Cache' });
    await Promise.all([
      ingest(trigger('shared')),
      ingest(trigger('shared', { routing_key: other.integration_key })),
    ]);
    expect(await openWithKey('shared')).toHaveLength(1);
    expect(await openWithKey('shared', other.id)).toHaveLength(1);
  });

  it('fails a bad event alone: the rest of its batch is stored and answered', async ({ skip: s }) => {
    if (skip) s();
    batches.length = 0;
    alone = 0;
    // A null summary breaks incidents.title NOT NULL inside the batch's transaction, after the
    // batch has taken incident numbers: the whole transaction rolls back.
    const bad = trigger('bad', {
      payload: { summary: null as unknown as string, source: 'x', severity: 'info' },
    });
    const results = await Promise.allSettled([
      ingest(trigger('good-1')),
      ingest(bad),
      ingest(trigger('good-1')),
      ingest(trigger('unknown', { routing_key: 'f'.repeat(32) })),
      ingest(trigger('good-2')),
    ]);
    expect(batches).toEqual([5]);
    expect(alone).toBeGreaterThan(0);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.status : 'rejected'))).toEqual([
      202,
      'rejected',
      202,
      400,
      202,
    ]);
    const [good1] = await openWithKey('good-1');
    expect(await alertCount(good1?.id as string)).toBe(2);
    expect(await openWithKey('good-2')).toHaveLength(1);
    expect(await openWithKey('bad')).toEqual([]);
    // What the failed batch had written is gone: one alert per answered trigger, no more.
    expect(await timelineTypes(good1?.id as string)).toEqual(['trigger_log_entry', 'alert_log_entry']);
  });

  it('runs a batch that lost a race for a dedup key once more as a whole, joining the winner', async ({
    skip: s,
  }) => {
    if (skip) s();
    batches.length = 0;
    alone = 0;
    loseNextRace = true;
    const outcomes = await Promise.all([
      ingest(trigger('raced')),
      ingest(trigger('raced')),
      ingest(trigger('x')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([202, 202, 202]);
    expect(batches).toEqual([3, 3]);
    expect(alone).toBe(0);
    const [incident, ...others] = await openWithKey('raced');
    expect(others).toEqual([]);
    expect(await alertCount(incident?.id as string)).toBe(3);
  });

  it('starts escalation of a new incident on a service with a policy, before its joined alerts', async ({
    skip: s,
  }) => {
    if (skip) s();
    const user = await p.ports.directory.createUser({ name: 'Ada', email: `ada-${store.kind}@example.com` });
    const policy = await p.ports.escalation.createPolicy({
      name: 'Primary',
      escalation_rules: [
        { escalation_delay_in_minutes: 5, targets: [{ id: user.id, type: 'user_reference' }] },
      ],
    });
    const paged = await p.ports.directory.createService({ name: 'Paged', escalation_policy_id: policy.id });
    const event = trigger('paged', { routing_key: paged.integration_key });
    await Promise.all([ingest(event), ingest(event), ingest(trigger('plain'))]);
    const [incident] = await openWithKey('paged', paged.id);
    expect(await timelineTypes(incident?.id as string)).toEqual([
      'trigger_log_entry',
      'assign_log_entry',
      'alert_log_entry',
    ]);
    const escalation = await p.db
      .selectFrom('incident_escalations')
      .select(['level', 'state'])
      .where('incident_id', '=', incident?.id as string)
      .executeTakeFirst();
    expect(escalation).toEqual({ level: 0, state: 'active' });
  });
});
