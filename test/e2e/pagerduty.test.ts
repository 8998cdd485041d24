/**
 * One Vigil HTTP server for a whole team, `VIGIL_PROVIDERS=pagerduty,embedded` and no token:
 * each request's X-PagerDuty-Token answers from that person's PagerDuty account (the loopback
 * fake), concurrently and without leaks, while the embedded engine serves the rest.
 */
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, connect, HTTP_TRANSPORTS, toolNames } from '../helpers/clients.js';
import { type FakePagerDuty, startFakePagerDuty } from '../helpers/fake-pagerduty.js';
import { type RunningVigil, startVigil, tempDir } from '../helpers/vigil.js';

function account(prefix: string, name: string) {
  const user = `P${prefix}U01`;
  const team = `P${prefix}T01`;
  return {
    me: user,
    users: [{ id: user, name, email: `${name.toLowerCase()}@${prefix.toLowerCase()}.test`, teams: [team] }],
    teams: [{ id: team, name: `${name}'s team` }],
    escalation_policies: [
      {
        id: `P${prefix}E01`,
        name: `${name}'s policy`,
        rules: [{ targets: [{ type: 'user' as const, id: user }] }],
      },
    ],
    services: [
      { id: `P${prefix}S01`, name: `${name}'s service`, escalation_policy: `P${prefix}E01`, teams: [team] },
    ],
    incidents: Array.from({ length: 3 }, (_, i) => ({
      id: `P${prefix}I0${i}`,
      title: `${name}'s incident ${i}`,
      service: `P${prefix}S01`,
    })),
  };
}

describe('PagerDuty per request over HTTP', () => {
  let fake: FakePagerDuty;
  let vigil: RunningVigil;

  beforeAll(async () => {
    fake = await startFakePagerDuty();
    fake.addAccount('token-ann', account('AAA', 'Ann'));
    fake.addAccount('token-bob', account('BBB', 'Bob'));
    vigil = await startVigil({
      VIGIL_DATA_DIR: tempDir(),
      VIGIL_PROVIDERS: 'pagerduty,embedded',
      PAGERDUTY_API_HOST: fake.url,
      VIGIL_MODE: 'read_write',
    });
  });
  afterAll(async () => {
    await vigil?.stop();
    await fake?.close();
  });

  it.each(HTTP_TRANSPORTS)('two concurrent clients over %s each see only their own account', async (kind) => {
    const [ann, bob] = await Promise.all(
      ['token-ann', 'token-bob'].map((t) =>
        connect(kind, { base: vigil.base, headers: { 'X-PagerDuty-Token': t } }),
      ),
    );
    try {
      const rounds = await Promise.all(
        Array.from({ length: 8 }, (_, i) => {
          const [client, who] = i % 2 ? [bob as Client, 'Bob'] : [ann as Client, 'Ann'];
          return Promise.all([
            callJson(client, 'get_incidents'),
            callJson(client, 'build_user_context'),
            callJson(client, 'get_users'),
          ]).then((answers) => ({ who, answers }));
        }),
      );
      for (const { who, answers } of rounds) {
        const [incidents, context, users] = answers;
        expect(incidents?.isError).toBe(false);
        const titles = incidents?.body.incidents.map((i: { title: string }) => i.title);
        expect(titles).toHaveLength(3);
        for (const t of titles) expect(t).toMatch(new RegExp(`^${who}'s`));
        expect(context?.body.user_contexts[0].name).toBe(who);
        expect(users?.body.users.map((u: { name: string }) => u.name)).toEqual([who]);
      }
      const ack = await callJson(ann as Client, 'acknowledge_incident', { incident_id: 'PAAAI00' });
      expect(ack.body.incidents[0].status).toBe('acknowledged');
      const cross = await callJson(bob as Client, 'acknowledge_incident', { incident_id: 'PAAAI01' });
      expect(cross.body.error.code).toBe('NOT_FOUND');
    } finally {
      await Promise.all([ann?.close(), bob?.close()]);
    }
  });

  it('a request without X-PagerDuty-Token gets a clear error for PagerDuty tools; the embedded engine still answers', async () => {
    const client = await connect('http-modern', { base: vigil.base });
    try {
      const names = await toolNames(client);
      expect(names).toEqual(expect.arrayContaining(['get_incidents', 'list_checks', 'list_pages']));
      const r = await callJson(client, 'get_teams');
      expect(r.body.error).toMatchObject({
        code: 'UNAUTHORIZED',
        message: expect.stringContaining('X-PagerDuty-Token'),
      });
      expect((await callJson(client, 'list_checks')).isError).toBe(false);
      const conn = await callJson(client, 'test_connection');
      expect(conn.body.connections).toEqual([
        expect.objectContaining({ provider: 'embedded', connected: true }),
        expect.objectContaining({
          provider: 'pagerduty',
          connected: false,
          details: expect.objectContaining({ error: 'UNAUTHORIZED' }),
        }),
      ]);
    } finally {
      await client.close();
    }
  });

  it('test_connection names the account user and the credential source', async () => {
    const client = await connect('http-modern', {
      base: vigil.base,
      headers: { 'X-PagerDuty-Token': 'token-bob' },
    });
    try {
      const conn = await callJson(client, 'test_connection');
      expect(conn.body.connections[1]).toMatchObject({
        provider: 'pagerduty',
        connected: true,
        details: { host: fake.url, credential: 'X-PagerDuty-Token header', user: { name: 'Bob' } },
      });
    } finally {
      await client.close();
    }
    expect(fake.violations()).toEqual([]);
  });
});
