/**
 * A first run as an MCP client makes it: the built `vigil` spawned over stdio from `/` (where
 * Claude Desktop starts servers) with only a home directory and no data-directory setting, in the
 * default read-only mode. It keeps its store in the per-user data directory, says where on
 * stderr, and the first questions answer empty with what to create — with or without
 * VIGIL_USER_EMAIL naming someone the directory does not know yet.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { describe, expect, it } from 'vitest';
import { callJson, toolNames } from '../helpers/clients.js';
import { until } from '../helpers/until.js';
import { tempDir, VIGIL_BIN } from '../helpers/vigil.js';

async function firstRun(env: Record<string, string>) {
  const home = tempDir('vigil-home-');
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [VIGIL_BIN],
    cwd: '/',
    // HTTP_PORT=0: the public routes this process also serves take any free port, not 5000.
    env: { PATH: process.env.PATH ?? '', HOME: home, HTTP_PORT: '0', ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const client = new Client({ name: 'first-run', version: '1' });
  await client.connect(transport);
  return { client, home, stderr: () => stderr };
}

describe('a first run over stdio from /', () => {
  it.each([
    ['without VIGIL_USER_EMAIL', {}],
    ['with VIGIL_USER_EMAIL not in the directory', { VIGIL_USER_EMAIL: 'me@example.com' }],
  ])('%s: lists tools and answers the first questions', async (_, env) => {
    const { client, home, stderr } = await firstRun(env);
    try {
      const dataDir = join(home, '.local', 'share', 'vigil');
      const names = await toolNames(client);
      for (const name of ['get_status_overview', 'get_incidents', 'get_oncalls', 'list_checks'])
        expect(names).toContain(name);

      const incidents = await callJson(client, 'get_incidents');
      expect(incidents.isError, JSON.stringify(incidents.body)).toBe(false);
      expect(incidents.body.incidents).toEqual([]);
      expect(incidents.body.metadata.hint).toMatch(/create_check.*VIGIL_MODE=read_write/);

      const overview = await callJson(client, 'get_status_overview');
      expect(overview.isError).toBe(false);
      expect(overview.body.overviews[0].open_incidents.total).toBe(0);
      expect(overview.body.metadata.hint).toMatch(/^Nothing is open\./);

      const oncalls = await callJson(client, 'get_oncalls');
      expect(oncalls.isError).toBe(false);
      expect(oncalls.body.metadata.hint).toMatch(/create_schedule/);

      const checks = await callJson(client, 'list_checks');
      expect(checks.body.checks).toEqual([]);
      expect(checks.body.metadata.hint).toMatch(/create_check/);

      expect(existsSync(join(dataDir, 'vigil.db'))).toBe(true);
      await until('the start line naming the data directory', 5_000, async () =>
        stderr().includes(`data directory ${dataDir};`),
      );
    } finally {
      await client.close();
    }
  });
});
