/**
 * The audit trail through the tool path (in-process client, real stores): writes recorded with
 * field names and never values, refusals recorded with their code, reads not recorded, a failing
 * audit store never failing the write, and `get_audit_log` answering operators only.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openHarness } from '../../test/helpers/harness.js';
import { STORES, storeAvailable } from '../../test/helpers/stores.js';

describe.each(STORES)('audit trail through tools on $kind', (store) => {
  it('records writes by field name only, refusals with their code, and no reads', async ({ skip }) => {
    if (!(await storeAvailable(store.kind))) skip();
    const h = await openHarness({ store: await store.open() });
    try {
      const url = 'https://hooks.example.com/T000/B000/very-secret-path';
      const hook = (
        await h.ok('create_alert_channel', { name: 'Ops', type: 'webhook', configuration: { url } })
      ).channels[0];
      await h.ok('list_alert_channels');
      const viewer = await h.as({
        kind: 'api_key',
        label: 'key:viewer',
        credentialId: 'k1',
        mode: 'read_only',
      });
      expect((await viewer.call('delete_alert_channel', { channel_id: hook.id })).body.error.code).toBe(
        'READ_ONLY',
      );

      const log = await h.ok('get_audit_log');
      expect(
        log.entries.map((e: Record<string, unknown>) => [
          e.tool,
          e.actor_kind,
          e.actor_id,
          e.outcome,
          e.summary,
        ]),
      ).toEqual([
        ['delete_alert_channel', 'api_key', 'k1', 'READ_ONLY', 'delete_alert_channel'],
        [
          'create_alert_channel',
          'local',
          undefined,
          'ok',
          'create_alert_channel: name, type, configuration.url',
        ],
      ]);
      expect(log.entries[1].object_ids).toEqual([hook.id]);
      expect((await h.ok('get_audit_log', { outcome: 'READ_ONLY' })).entries).toHaveLength(1);
      const unknown = (await h.call('get_audit_log', { outcome: 'refused' })).body.error;
      expect([unknown.code, unknown.details?.parameter]).toEqual(['VALIDATION_ERROR', 'outcome']);
      expect(unknown.message).toContain('READ_ONLY');
      const text = JSON.stringify(await sql`select * from audit_log`.execute(h.rt.embedded.db));
      expect(text).not.toContain('very-secret-path');
      expect(text).not.toContain(hook.configuration.signing_secret);
    } finally {
      await h.close();
    }
  });

  it('answers the write when the audit store fails', async ({ skip }) => {
    if (!(await storeAvailable(store.kind))) skip();
    const h = await openHarness({ store: await store.open() });
    try {
      await h.rt.embedded.db.schema.dropTable('audit_log').execute();
      const hb = await h.ok('create_heartbeat', { name: 'backup', period_seconds: 3600 });
      expect(hb.heartbeats[0].name).toBe('backup');
    } finally {
      await h.close();
    }
  });

  it('shows the trail to operators only, and pages it', async ({ skip }) => {
    if (!(await storeAvailable(store.kind))) skip();
    const h = await openHarness({ store: await store.open() });
    try {
      for (const name of ['a', 'b', 'c']) await h.ok('create_heartbeat', { name, period_seconds: 3600 });
      const first = await h.ok('get_audit_log', { limit: 2 });
      const rest = await h.ok('get_audit_log', { limit: 2, cursor: first.next_cursor });
      expect(first.entries).toHaveLength(2);
      expect(rest.entries).toHaveLength(1);
      expect(rest.next_cursor).toBeUndefined();
      const since = (await h.call('get_audit_log', { since: 'yesterday' })).body;
      expect(since.error.code).toBe('VALIDATION_ERROR');

      const keyRw = await h.as({ kind: 'api_key', label: 'key:ops', mode: 'read_write' });
      expect((await keyRw.ok('get_audit_log', { tool: 'create_heartbeat' })).entries).toHaveLength(3);
      const keyRo = await h.as({ kind: 'api_key', label: 'key:viewer', mode: 'read_only' });
      expect((await keyRo.call('get_audit_log')).body.error.code).toBe('FORBIDDEN');
      const upstream = await h.as({ kind: 'anonymous', label: 'pingera-credential', upstreamOnly: true });
      expect((await upstream.call('get_audit_log')).body.error.code).toBe('FORBIDDEN');
    } finally {
      await h.close();
    }
  });
});
