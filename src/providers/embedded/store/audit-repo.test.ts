/**
 * The audit trail's store on SQLite and PostgreSQL: writes read back newest first with every
 * filter; counts added to one row per route, object, hour and outcome across flushes; a routing
 * key counted under its service and never stored; entries past the retention deleted.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { STORES, storeAvailable } from '../../../../test/helpers/stores.js';
import type { AuditRecord } from '../../../core/audit.js';
import { silentLogger } from '../../../core/log.js';
import { createEmbeddedProvider } from '../index.js';

const HOUR = 3_600_000;
const t0 = Date.parse('2026-06-01T10:15:00Z');

const write = (over: Partial<AuditRecord> = {}): AuditRecord => ({
  actor: { kind: 'api_key', id: 'PKEY1', label: 'key:ci', user: 'ops@example.com' },
  address: '127.0.0.1',
  entryPoint: 'mcp',
  tool: 'create_heartbeat',
  objectIds: ['PHB1'],
  summary: 'create_heartbeat: name, period_seconds',
  outcome: 'ok',
  ...over,
});

const page = { limit: 100, offset: 0 };

describe.each(STORES)('audit trail on $kind', (store) => {
  async function open() {
    let now = t0;
    const clock = { now: () => now };
    const p = await createEmbeddedProvider({
      ...(await store.open()),
      log: silentLogger(),
      clock,
      auditRetentionDays: 30,
    });
    return { p, audit: p.ports.audit, at: (ms: number) => (now = ms) };
  }

  it('reads writes back newest first, filtered by time, actor, object, tool and outcome', async ({
    skip,
  }) => {
    if (!(await storeAvailable(store.kind))) skip();
    const { p, audit, at } = await open();
    try {
      await audit.record(write());
      at(t0 + 60_000);
      await audit.record(
        write({
          actor: { kind: 'local', label: 'local' },
          address: undefined,
          entryPoint: 'cli',
          tool: 'delete_heartbeat',
          objectIds: ['PHB2'],
          outcome: 'NOT_FOUND',
        }),
      );
      at(t0 + 120_000);
      await audit.record(
        write({ actor: { kind: 'jwt', id: 'alice', label: 'jwt:alice' }, objectIds: ['PHB1', 'PX'] }),
      );

      const all = await audit.list(page);
      expect(all.items.map((e) => [e.tool, e.actor_kind, e.outcome])).toEqual([
        ['create_heartbeat', 'jwt', 'ok'],
        ['delete_heartbeat', 'local', 'NOT_FOUND'],
        ['create_heartbeat', 'api_key', 'ok'],
      ]);
      expect(all.items[2]).toEqual({
        id: expect.stringMatching(/^P[A-Z0-9]{13}$/),
        at: '2026-06-01T10:15:00.000Z',
        actor_kind: 'api_key',
        actor_id: 'PKEY1',
        actor_label: 'key:ci',
        user: 'ops@example.com',
        address: '127.0.0.1',
        entry_point: 'mcp',
        tool: 'create_heartbeat',
        object_ids: ['PHB1'],
        summary: 'create_heartbeat: name, period_seconds',
        outcome: 'ok',
        count: 1,
      });
      const tools = async (q: Parameters<typeof audit.list>[0]) =>
        (await audit.list(q)).items.map((e) => `${e.tool}@${e.at.slice(11, 16)}`);
      expect(await tools({ ...page, actor: 'PKEY1' })).toEqual(['create_heartbeat@10:15']);
      expect(await tools({ ...page, actor: 'ops@example.com' })).toEqual(['create_heartbeat@10:15']);
      expect(await tools({ ...page, actor: 'jwt:alice' })).toEqual(['create_heartbeat@10:17']);
      expect(await tools({ ...page, actor: 'local' })).toEqual(['delete_heartbeat@10:16']);
      expect(await tools({ ...page, objectId: 'PHB1' })).toEqual([
        'create_heartbeat@10:17',
        'create_heartbeat@10:15',
      ]);
      expect(await tools({ ...page, objectId: 'PHB' })).toEqual([]);
      expect(await tools({ ...page, tool: 'delete_heartbeat' })).toEqual(['delete_heartbeat@10:16']);
      expect(await tools({ ...page, outcome: 'NOT_FOUND' })).toEqual(['delete_heartbeat@10:16']);
      expect(
        await tools({
          ...page,
          since: new Date(t0 + 60_000).toISOString(),
          until: new Date(t0 + 120_000).toISOString(),
        }),
      ).toEqual(['delete_heartbeat@10:16']);
      const first = await audit.list({ limit: 2, offset: 0 });
      const rest = await audit.list({ limit: 2, offset: 2 });
      expect([first.more, rest.more, first.items.length + rest.items.length]).toEqual([true, false, 3]);
    } finally {
      await p.close();
    }
  });

  it('counts pings and events per object, hour and outcome, under the service and never the routing key', async ({
    skip,
  }) => {
    if (!(await storeAvailable(store.kind))) skip();
    const { p, audit, at } = await open();
    try {
      const service = await p.ports.directory.createService({ name: 'Database' });
      const routingKey = service.integration_key as string;
      for (let i = 0; i < 3; i++) audit.count({ route: '/ping', objectId: 'PHB1', outcome: 'ok' });
      audit.count({ route: '/ping', outcome: 'NOT_FOUND' });
      audit.count({ route: '/v2/enqueue', routingKey, outcome: 'ok' });
      await audit.flush();
      // More in the same hour join the same rows, from this or another flush.
      audit.count({ route: '/ping', objectId: 'PHB1', outcome: 'ok' });
      for (let i = 0; i < 4; i++) audit.count({ route: '/v2/enqueue', routingKey, outcome: 'ok' });
      audit.count({ route: '/v2/enqueue', routingKey: 'f'.repeat(32), outcome: 'INVALID_EVENT' });
      await audit.flush();
      at(t0 + HOUR);
      audit.count({ route: '/ping', objectId: 'PHB1', outcome: 'ok' });

      // Reading stores what is still counted in memory.
      const rows = (await audit.list(page)).items.map((e) => [
        e.at.slice(11, 16),
        e.tool,
        e.object_ids.join(),
        e.outcome,
        e.count,
        e.actor_kind,
        e.entry_point,
      ]);
      expect(rows).toHaveLength(5);
      expect(rows).toEqual(
        expect.arrayContaining([
          ['11:00', '/ping', 'PHB1', 'ok', 1, 'integration', 'http'],
          ['10:00', '/ping', 'PHB1', 'ok', 4, 'integration', 'http'],
          ['10:00', '/ping', '', 'NOT_FOUND', 1, 'integration', 'http'],
          ['10:00', '/v2/enqueue', service.id, 'ok', 5, 'integration', 'http'],
          ['10:00', '/v2/enqueue', '', 'INVALID_EVENT', 1, 'integration', 'http'],
        ]),
      );
      expect((await audit.list({ ...page, objectId: service.id })).items.map((e) => e.count)).toEqual([5]);
      const { rows: dump } = await sql<Record<string, unknown>>`select * from audit_log`.execute(p.db);
      expect(JSON.stringify(dump)).not.toContain(routingKey);
      expect(JSON.stringify(dump)).not.toContain('f'.repeat(32));
    } finally {
      await p.close();
    }
  });

  it('deletes entries older than the retention, and does not show them meanwhile', async ({ skip }) => {
    if (!(await storeAvailable(store.kind))) skip();
    const { p, audit, at } = await open();
    try {
      await audit.record(write({ tool: 'old' }));
      at(t0 + 29 * 24 * HOUR);
      await audit.record(write({ tool: 'recent' }));
      at(t0 + 30 * 24 * HOUR + 1);
      expect((await audit.list(page)).items.map((e) => e.tool)).toEqual(['recent']);
      // The next write, more than an hour after the last pruning, deletes the old row.
      await audit.record(write({ tool: 'new' }));
      const { rows } = await sql<{ tool: string }>`select tool from audit_log order by at`.execute(p.db);
      expect(rows.map((r) => r.tool)).toEqual(['recent', 'new']);
    } finally {
      await p.close();
    }
  });
});
