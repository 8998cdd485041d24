/**
 * The built `vigil` over every transport — stdio, Streamable HTTP in both protocol eras, and the
 * legacy HTTP+SSE transport — driven by the official MCP client SDK: what read-only and
 * read-write modes list and allow, and X-MCP-Tools narrowing without widening.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, connect, HTTP_TRANSPORTS, type TransportKind, toolNames } from '../helpers/clients.js';
import { type RunningVigil, startVigil, tempDir } from '../helpers/vigil.js';

/** Writes of the embedded default profile (`core`). */
const WRITE_TOOLS = [
  'acknowledge_incident',
  'resolve_incident',
  'add_incident_note',
  'trigger_incident',
  'reassign_incident',
  'escalate_incident',
  'snooze_incident',
  'create_schedule_override',
  'create_check',
  'update_check',
  'delete_check',
  'create_heartbeat',
  'create_alert',
  'create_incident',
  'add_incident_update',
];
const ALL: TransportKind[] = ['stdio-legacy', 'stdio-modern', ...HTTP_TRANSPORTS];

describe.each(['read_only', 'read_write'] as const)('in %s mode', (mode) => {
  let server: RunningVigil;
  const dataDir = tempDir();
  beforeAll(async () => {
    server = await startVigil({ VIGIL_DATA_DIR: dataDir, VIGIL_MODE: mode });
  });
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it.each(ALL)(
    'over %s: lists write tools only in read-write mode; a write in read-only mode answers READ_ONLY',
    async (kind) => {
      const client = await connect(kind, {
        base: server.base,
        env: { VIGIL_DATA_DIR: tempDir(), VIGIL_MODE: mode },
      });
      try {
        const names = await toolNames(client);
        expect(names).toContain('get_users');
        // The default is the curated core; the rest is callable by name (create_team below).
        expect(names.length).toBeLessThanOrEqual(40);
        expect(names).not.toContain('create_team');
        for (const w of WRITE_TOOLS) expect(names.includes(w), w).toBe(mode === 'read_write');
        const r = await callJson(client, 'create_team', { name: `Team via ${kind}` });
        if (mode === 'read_only') {
          expect(r.isError).toBe(true);
          expect(r.body.error.code).toBe('READ_ONLY');
          expect(r.body.error.message).toMatch(/VIGIL_MODE=read_write/);
        } else {
          expect(r.isError).toBe(false);
          expect(r.body.teams[0].name).toBe(`Team via ${kind}`);
        }
        const teams = await callJson(client, 'get_teams', { query: kind });
        expect(teams.body.teams).toHaveLength(mode === 'read_write' ? 1 : 0);
      } finally {
        await client.close();
      }
    },
  );

  it.each(HTTP_TRANSPORTS)('over %s: X-MCP-Tools narrows the list and never widens it', async (kind) => {
    const client = await connect(kind, {
      base: server.base,
      headers: { 'X-MCP-Tools': 'get_teams, create_team' },
    });
    try {
      expect((await toolNames(client)).sort()).toEqual(
        mode === 'read_write' ? ['create_team', 'get_teams'] : ['get_teams'],
      );
      const hidden = await callJson(client, 'get_users', { user_id: 'PABC' });
      expect(hidden.body.error.code).toBe('FORBIDDEN');
      if (mode === 'read_only')
        expect((await callJson(client, 'create_team', { name: 'x' })).body.error.code).toBe('READ_ONLY');
    } finally {
      await client.close();
    }
  });
});

describe('a client choosing its tools', () => {
  let server: RunningVigil;
  beforeAll(async () => {
    server = await startVigil({ VIGIL_DATA_DIR: tempDir(), VIGIL_MODE: 'read_write' });
  });
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it.each(HTTP_TRANSPORTS)('over %s: X-MCP-Toolsets lists another profile or toolset', async (kind) => {
    const client = await connect(kind, { base: server.base, headers: { 'X-MCP-Toolsets': 'all' } });
    try {
      expect((await toolNames(client)).length).toBeGreaterThan(100);
    } finally {
      await client.close();
    }
    const narrow = await connect(kind, { base: server.base, headers: { 'X-MCP-Toolsets': 'meta' } });
    try {
      expect((await toolNames(narrow)).sort()).toEqual([
        'get_audit_log',
        'test_connection',
        'test_pingera_connection',
      ]);
      expect((await callJson(narrow, 'get_users')).body.error.code).toBe('FORBIDDEN');
    } finally {
      await narrow.close();
    }
  });

  it.each([
    ['X-MCP-Tools', 'get_teams,get_user', /X-MCP-Tools: unknown tool 'get_user'; did you mean 'get_users'/],
    [
      'X-MCP-Toolsets',
      'pages',
      /X-MCP-Toolsets: unknown toolset or profile 'pages'; profiles: .*status_pages/,
    ],
  ])(
    'answers a typo in %s with an error naming the valid names, not an empty list',
    async (header, value, message) => {
      const res = await fetch(`${server.base}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          [header]: value,
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    },
  );
});

describe('the docs://tools resource', () => {
  it('documents exactly the tools this client sees', async () => {
    const client = await connect('stdio-legacy', {
      env: { VIGIL_DATA_DIR: tempDir(), VIGIL_TOOLSETS: 'directory' },
    });
    try {
      const doc = await client.readResource({ uri: 'docs://tools' });
      const text = (doc.contents[0] as { text: string }).text;
      expect(text).toContain('## get_users (directory, read)');
      expect(text).toContain('Fields for `include`: id, type, name, email');
      expect(text).not.toContain('create_user');
      expect(text).not.toContain('test_connection');
      await expect(client.readResource({ uri: 'docs://nope' })).rejects.toThrow(/docs:\/\/nope/);
      const unknown = await callJson(client, 'get_user', {});
      expect(unknown.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { parameter: 'name' } });
      expect(unknown.body.error.message).toContain('Did you mean get_users');
    } finally {
      await client.close();
    }
  });
});
