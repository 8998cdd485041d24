/**
 * The audit trail end to end, on the built binary: a write through MCP over HTTP with an API key,
 * a write through `vigil call`, a failed write, `vigil keys` changes, a responder page action,
 * heartbeat pings and an Events API event each show up in `get_audit_log` with their actor (the
 * key's id, never the key), entry point, object ids and outcome; a secret's value appears nowhere
 * in the store, and a read-only key may not read the trail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responderTokens } from '../../src/core/responder-token.js';
import { secretKey } from '../../src/providers/embedded/store/secrets-repo.js';
import { vigil } from '../helpers/cli.js';
import { callJson, connect } from '../helpers/clients.js';
import { type RunningVigil, startVigil, tempDir } from '../helpers/vigil.js';

const SECRET_VALUE = 'hunter2-do-not-log-me';

type Entry = {
  id: string;
  at: string;
  actor_kind: string;
  actor_id?: string;
  actor_label: string;
  address?: string;
  entry_point: string;
  tool: string;
  object_ids?: string[];
  summary: string;
  outcome: string;
  count: number;
};

describe('audit trail', () => {
  const dataDir = tempDir();
  const env = { VIGIL_DATA_DIR: dataDir, VIGIL_MODE: 'read_write' };
  let server: RunningVigil;
  let client: Client;
  let key: string;
  let keyId: string;
  let readOnlyKey: string;

  beforeAll(async () => {
    const created = vigil(['keys', 'create', '--name', 'ops', '--mode', 'read_write'], env);
    expect(created.code, created.stderr).toBe(0);
    key = created.stdout.trim();
    keyId = (JSON.parse(vigil(['keys', 'list'], env).stdout) as { id: string; name: string }[]).find(
      (k) => k.name === 'ops',
    )?.id as string;
    readOnlyKey = vigil(['keys', 'create', '--name', 'viewer', '--mode', 'read_only'], env).stdout.trim();
    server = await startVigil(env);
    client = await connect('http-modern', { base: server.base, headers: { authorization: `Bearer ${key}` } });
  }, 30_000);

  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  const auditLog = async (args: Record<string, unknown> = {}) => {
    const r = await callJson(client, 'get_audit_log', args);
    expect(r.isError, JSON.stringify(r.body)).toBe(false);
    return r.body.entries as Entry[];
  };

  it('records each entry point with its actor, object ids and outcome', async () => {
    // MCP over HTTP with an API key: a write that succeeds, and one that fails.
    const hb = await callJson(client, 'create_heartbeat', { name: 'nightly backup', period_seconds: 3600 });
    expect(hb.isError, JSON.stringify(hb.body)).toBe(false);
    const heartbeat = hb.body.heartbeats[0] as { id: string; ping_url: string };
    const missing = await callJson(client, 'update_heartbeat', { heartbeat_id: 'PNOSUCH', name: 'x' });
    expect(missing.body.error.code).toBe('NOT_FOUND');
    const svc = await callJson(client, 'create_service', { name: 'Database' });
    const service = svc.body.services[0] as { id: string; integration_key: string };

    // The CLI, on the same store: a secret, whose value must never be recorded.
    const cli = vigil(
      ['call', 'create_secret', JSON.stringify({ name: 'DB_PASSWORD', value: SECRET_VALUE })],
      env,
    );
    expect(cli.code, cli.stderr).toBe(0);
    const secretId = (JSON.parse(cli.stdout) as { secrets: { id: string }[] }).secrets[0]?.id as string;

    // Integration endpoints: two pings and an unknown one, one Events API trigger.
    const pingUrl = `${server.base}/ping/${heartbeat.ping_url.split('/').pop()}`;
    expect((await fetch(pingUrl)).status).toBe(200);
    expect((await fetch(pingUrl, { method: 'POST', body: 'done' })).status).toBe(200);
    expect((await fetch(`${server.base}/ping/nosuchtoken`)).status).toBe(404);
    const event = await fetch(`${server.base}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        routing_key: service.integration_key,
        event_action: 'trigger',
        payload: { summary: 'disk full', source: 'db1', severity: 'critical' },
      }),
    });
    expect(event.status).toBe(202);

    // The responder page: a link acting as its user acknowledges the incident, then fails to again.
    const user = (await callJson(client, 'create_user', { name: 'Ann', email: 'ann@example.com' })).body
      .users[0];
    const incident = (
      await callJson(client, 'get_incidents', { current_user_context: false, service_ids: [service.id] })
    ).body.incidents[0] as { id: string };
    const tokens = responderTokens(() => secretKey(undefined, dataDir));
    const link = tokens.issue(incident.id, user.id);
    const tap = () =>
      fetch(`${server.base}/r/${link}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf: tokens.formToken(link), incident: incident.id, action: 'resolve' }),
      });
    expect((await tap()).status).toBe(303);
    const again = await tap();
    expect(again.status).toBe(409);

    const entries = await auditLog();
    const byTool = (tool: string) => entries.filter((e) => e.tool === tool);

    expect(byTool('create_heartbeat')).toEqual([
      expect.objectContaining({
        actor_kind: 'api_key',
        actor_id: keyId,
        actor_label: 'key:ops',
        address: expect.stringMatching(/127\.0\.0\.1/),
        entry_point: 'mcp',
        object_ids: [heartbeat.id],
        summary: 'create_heartbeat: name, period_seconds',
        outcome: 'ok',
        count: 1,
      }),
    ]);
    expect(byTool('update_heartbeat')).toEqual([
      expect.objectContaining({
        actor_id: keyId,
        entry_point: 'mcp',
        object_ids: ['PNOSUCH'],
        outcome: 'NOT_FOUND',
      }),
    ]);
    expect(byTool('create_secret')).toEqual([
      expect.objectContaining({
        actor_kind: 'local',
        entry_point: 'cli',
        object_ids: [secretId],
        summary: 'create_secret: name, value',
        outcome: 'ok',
      }),
    ]);
    expect(byTool('/ping')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor_kind: 'integration',
          entry_point: 'http',
          object_ids: [heartbeat.id],
          outcome: 'ok',
          count: 2,
        }),
        expect.objectContaining({ outcome: 'NOT_FOUND', count: 1 }),
      ]),
    );
    expect(byTool('/v2/enqueue')).toEqual([
      expect.objectContaining({
        actor_kind: 'integration',
        entry_point: 'http',
        object_ids: [service.id],
        outcome: 'ok',
        count: 1,
      }),
    ]);
    expect(byTool('/r resolve')).toEqual([
      expect.objectContaining({ actor_kind: 'link', outcome: expect.stringMatching(/^(?!ok$)[A-Z_]+$/) }),
      expect.objectContaining({
        actor_kind: 'link',
        actor_label: 'link:ann@example.com',
        user: user.id,
        address: expect.stringMatching(/127\.0\.0\.1/),
        entry_point: 'http',
        object_ids: [incident.id],
        summary: 'resolve',
        outcome: 'ok',
      }),
    ]);
    // Key changes through the CLI, by id; the key itself never.
    expect(byTool('keys create')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor_kind: 'local',
          entry_point: 'cli',
          object_ids: [keyId],
          summary: 'keys create: name, mode',
          outcome: 'ok',
        }),
      ]),
    );
    expect(byTool('keys create')).toHaveLength(2);
    // Reads are not recorded.
    expect(byTool('get_audit_log')).toEqual([]);

    // Filters: by actor (the key's id), by object, by outcome.
    expect((await auditLog({ actor: keyId })).map((e) => e.tool).sort()).toEqual([
      'create_heartbeat',
      'create_service',
      'create_user',
      'update_heartbeat',
    ]);
    expect((await auditLog({ object_id: heartbeat.id })).map((e) => e.tool).sort()).toEqual([
      '/ping',
      'create_heartbeat',
    ]);
    expect((await auditLog({ outcome: 'NOT_FOUND', tool: 'update_heartbeat' })).length).toBe(1);

    // No secret anywhere: not the key, the routing key or the secret's value in the trail, and the
    // value nowhere in the store's files.
    const text = JSON.stringify(await auditLog({ limit: 1000 }));
    // A key's secret is its last 32 characters (24 random bytes, base64url, which may hold '_').
    for (const s of [key, key.slice(-32), service.integration_key, SECRET_VALUE])
      expect(text).not.toContain(s);
    for (const file of readdirSync(dataDir))
      expect(readFileSync(join(dataDir, file)).includes(SECRET_VALUE), file).toBe(false);
  }, 60_000);

  it('answers only operators: a read-only key is refused', async () => {
    const viewer = await connect('http-modern', {
      base: server.base,
      headers: { authorization: `Bearer ${readOnlyKey}` },
    });
    try {
      const r = await callJson(viewer, 'get_audit_log');
      expect(r.body.error.code).toBe('FORBIDDEN');
    } finally {
      await viewer.close();
    }
  });
});
