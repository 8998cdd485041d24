/**
 * Confirmation through elicitation over the HTTP app, in-process (as access.test.ts): Streamable
 * HTTP in the 2026-07-28 era, where the question travels as an input_required result and the
 * client calls again with the answer; the legacy SSE transport, where the server asks with
 * elicitation/create; and Streamable HTTP in the 2025 era, served per request, which cannot ask
 * back, so the call runs as the mode allows. Over stdio (the built binary) in both eras too.
 */
import { Client, SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson } from '../helpers/clients.js';
import { type InProcess, serveInProcess } from '../helpers/in-process.js';
import { tempDir, VIGIL_BIN } from '../helpers/vigil.js';

let served: InProcess;
let base: string;
let service: string;
/** The questions asked so far, and whether the next answer is yes. */
let asked: string[] = [];
let yes = true;

async function connect(kind: 'modern' | 'sse' | 'legacy'): Promise<Client> {
  const client = new Client(
    { name: 'asker', version: '1' },
    {
      capabilities: { elicitation: { form: {} } },
      versionNegotiation: { mode: kind === 'modern' ? 'auto' : 'legacy' },
    },
  );
  client.setRequestHandler('elicitation/create', async (req) => {
    asked.push((req.params as { message: string }).message);
    return yes ? { action: 'accept', content: { confirm: true } } : { action: 'decline' };
  });
  if (kind === 'sse') await client.connect(new SSEClientTransport(new URL(`${base}/sse`)));
  else await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
  expect(client.getProtocolEra()).toBe(kind === 'modern' ? 'modern' : 'legacy');
  return client;
}

async function newTeam(client: Client, name: string): Promise<string> {
  return (await callJson(client, 'create_team', { name })).body.teams[0].id;
}

async function teamExists(client: Client, id: string): Promise<boolean> {
  return !(await callJson(client, 'get_teams', { team_id: id })).isError;
}

beforeAll(async () => {
  served = await serveInProcess({ VIGIL_USER_EMAIL: 'ann@x.io' });
  base = served.base;
  const setup = await connect('legacy');
  const ann = (await callJson(setup, 'create_user', { name: 'Ann', email: 'ann@x.io' })).body.users[0].id;
  const team = (await callJson(setup, 'create_team', { name: 'Payments', member_ids: [ann] })).body.teams[0]
    .id;
  service = (await callJson(setup, 'create_service', { name: 'Checkout', team_ids: [team] })).body.services[0]
    .id;
  await setup.close();
});
afterAll(async () => {
  await served?.close();
});

describe.each(['modern', 'sse'] as const)('over %s', (kind) => {
  let client: Client;
  beforeAll(async () => {
    client = await connect(kind);
  });
  afterAll(() => client?.close());

  it('no keeps the team and says so; yes deletes it', async () => {
    const id = await newTeam(client, `Team ${kind}`);
    asked = [];
    yes = false;
    const no = await callJson(client, 'delete_team', { team_id: id });
    expect(no.isError).toBe(false);
    expect(no.body.metadata).toMatchObject({ count: 0, confirmation: 'declined' });
    expect(no.body.metadata.description).toMatch(/^Not done: the user said no .*Nothing was changed/);
    expect(await teamExists(client, id)).toBe(true);
    yes = true;
    expect((await callJson(client, 'delete_team', { team_id: id })).isError).toBe(false);
    expect(await teamExists(client, id)).toBe(false);
    expect(asked).toEqual([
      `Delete team (team_id ${id})? This cannot be undone.`,
      `Delete team (team_id ${id})? This cannot be undone.`,
    ]);
  });

  it('asks before trigger_incident pages anyone', async () => {
    asked = [];
    yes = false;
    const title = `Outage via ${kind}`;
    const no = await callJson(client, 'trigger_incident', { service_id: service, title });
    expect(no.body.metadata.confirmation).toBe('declined');
    yes = true;
    const opened = await callJson(client, 'trigger_incident', { service_id: service, title });
    expect(opened.body.incidents[0].title).toBe(title);
    expect(asked).toHaveLength(2);
    expect(asked[0]).toMatch(/^Trigger incident \(service_id \w+, title 'Outage via \w+'\)\? This pages/);
  });
});

it('a 2025-era client over Streamable HTTP is served per request and cannot be asked: the delete runs', async () => {
  const client = await connect('legacy');
  try {
    asked = [];
    yes = false;
    const id = await newTeam(client, 'Legacy HTTP');
    expect((await callJson(client, 'delete_team', { team_id: id })).isError).toBe(false);
    expect(asked).toEqual([]);
    expect(await teamExists(client, id)).toBe(false);
  } finally {
    await client.close();
  }
});

describe.each(['legacy', 'auto'] as const)('over stdio, negotiating %s', (mode) => {
  it('asks before a delete: no keeps it, yes deletes it', async () => {
    const client = new Client(
      { name: 'asker', version: '1' },
      { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode } },
    );
    const replies: boolean[] = [];
    client.setRequestHandler('elicitation/create', async (req) => {
      asked.push((req.params as { message: string }).message);
      return replies.shift() ? { action: 'accept', content: { confirm: true } } : { action: 'decline' };
    });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [VIGIL_BIN],
        env: {
          PATH: process.env.PATH ?? '',
          VIGIL_LOG_LEVEL: 'warn',
          VIGIL_DATA_DIR: tempDir(),
          VIGIL_MODE: 'read_write',
        },
        stderr: 'ignore',
      }),
    );
    try {
      expect(client.getProtocolEra()).toBe(mode === 'auto' ? 'modern' : 'legacy');
      asked = [];
      const id = await newTeam(client, 'Stdio');
      replies.push(false, true);
      const no = await callJson(client, 'delete_team', { team_id: id });
      expect(no.body.metadata.confirmation).toBe('declined');
      expect(await teamExists(client, id)).toBe(true);
      expect((await callJson(client, 'delete_team', { team_id: id })).isError).toBe(false);
      expect(await teamExists(client, id)).toBe(false);
      expect(asked).toEqual([
        `Delete team (team_id ${id})? This cannot be undone.`,
        `Delete team (team_id ${id})? This cannot be undone.`,
      ]);
    } finally {
      await client.close();
    }
  });
});
