/**
 * Clients nobody on this project wrote: the official TypeScript SDK 1.x client (which checks
 * every structured result against the tool's outputSchema, errors included), the 2.x client, and
 * the MCP Inspector CLI, over stdio and Streamable HTTP. Each must show Vigil's own error text.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client as Client1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as Stdio1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as Http1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../helpers/clients.js';
import { type RunningVigil, startVigil, tempDir, VIGIL_BIN } from '../helpers/vigil.js';

const INSPECTOR = fileURLToPath(
  new URL(
    '../../node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js',
    import.meta.url,
  ),
);
const run = promisify(execFile);

/** The three refusals every client must show: [tool, arguments, code, words of the message]. */
const REFUSALS = [
  ['get_incidents', { limit: 'many' }, 'VALIDATION_ERROR', /`limit`/],
  ['get_check_details', { check_id: 'nope' }, 'NOT_FOUND', /No check with id 'nope'/],
  ['create_heartbeat', { name: 'nightly', period_seconds: 3600 }, 'READ_ONLY', /VIGIL_MODE=read_write/],
] as const;

type Transport = 'stdio' | 'http';

interface Answer {
  isError: boolean;
  text: string;
}

function envelopeOf(a: Answer): { error: { code: string; message: string } } {
  expect(a.isError, a.text).toBe(true);
  return JSON.parse(a.text);
}

/** Each refusal through an SDK client's callTool (1.x and 2.x). */
type CallTool = (req: {
  name: string;
  arguments: Record<string, unknown>;
}) => Promise<Record<string, unknown>>;

async function expectRefusals(callTool: CallTool) {
  for (const [name, args, code, message] of REFUSALS) {
    const r = await callTool({ name, arguments: args });
    const text = (r.content as { text: string }[])[0]?.text ?? '';
    const { error } = envelopeOf({ isError: r.isError === true, text });
    expect(error.code, name).toBe(code);
    expect(error.message).toMatch(message);
  }
}

describe.each(['stdio', 'http'] as const)('over %s, in read-only mode', (transport: Transport) => {
  const dataDir = tempDir();
  const env = { VIGIL_DATA_DIR: dataDir, VIGIL_MODE: 'read_only' };
  let server: RunningVigil | undefined;
  beforeAll(async () => {
    if (transport === 'http') server = await startVigil(env);
  });
  afterAll(async () => {
    if (server) expect(await server.stop()).toBe(0);
  });

  it('the SDK 1.x client shows the error text of each refusal', async () => {
    const client = new Client1({ name: 'sdk1', version: '1' });
    await client.connect(
      transport === 'stdio'
        ? new Stdio1({
            command: process.execPath,
            args: [VIGIL_BIN],
            env: { PATH: process.env.PATH ?? '', HTTP_PORT: '0', ...env },
            stderr: 'ignore',
          })
        : new Http1(new URL(`${server?.base}/mcp`)),
    );
    try {
      // Listing first makes the 1.x client check results against each tool's outputSchema.
      await client.listTools();
      await expectRefusals((req) => client.callTool(req));
    } finally {
      await client.close();
    }
  });

  it('the SDK 2.x client shows the error text of each refusal', async () => {
    const client = await connect(transport === 'stdio' ? 'stdio-modern' : 'http-modern', {
      ...(server && { base: server.base }),
      env: { HTTP_PORT: '0', ...env },
    });
    try {
      await expectRefusals((req) => client.callTool(req));
    } finally {
      await client.close();
    }
  });

  it('the MCP Inspector CLI shows the error text of each refusal', { timeout: 60_000 }, async () => {
    const inspect = async (name: string, args: Record<string, unknown>) => {
      const target =
        transport === 'stdio'
          ? [
              ...Object.entries({ HTTP_PORT: '0', ...env }).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
              process.execPath,
              VIGIL_BIN,
            ]
          : [`${server?.base}/mcp`];
      const toolArgs = Object.entries(args).flatMap(([k, v]) => ['--tool-arg', `${k}=${v}`]);
      const { stdout, stderr } = await run(
        process.execPath,
        [INSPECTOR, '--cli', ...target, '--method', 'tools/call', '--tool-name', name, ...toolArgs],
        { env: { PATH: process.env.PATH ?? '', HOME: tempDir('inspector-home-') }, timeout: 30_000 },
      ).catch((err: { stdout?: string; stderr?: string }) => ({
        stdout: err.stdout ?? '',
        stderr: err.stderr ?? '',
      }));
      return { stdout, stderr };
    };
    for (const [name, args, code, message] of REFUSALS) {
      const { stdout: out, stderr } = await inspect(name, args);
      if (code === 'READ_ONLY') {
        // The Inspector refuses a tool the server does not list before asking the server.
        expect(out + stderr).toMatch(/Tool 'create_heartbeat' not found on server/);
        continue;
      }
      const result = JSON.parse(out.slice(out.indexOf('{'), out.lastIndexOf('}\n{') + 1 || undefined)) as {
        content: { text: string }[];
        isError?: boolean;
      };
      const { error } = envelopeOf({ isError: result.isError === true, text: result.content[0]?.text ?? '' });
      expect(error.code, name).toBe(code);
      expect(error.message).toMatch(message);
    }
  });
});

describe('the SDK 1.x client in read-write mode', () => {
  let server: RunningVigil;
  beforeAll(async () => {
    server = await startVigil({ VIGIL_DATA_DIR: tempDir(), VIGIL_MODE: 'read_write' });
  });
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it('accepts every result of the default list against its outputSchema', async () => {
    const client = new Client1({ name: 'sdk1', version: '1' });
    await client.connect(new Http1(new URL(`${server.base}/mcp`)));
    try {
      await client.listTools();
      const ok = async (name: string, args: Record<string, unknown> = {}) => {
        const r = await client.callTool({ name, arguments: args });
        expect(r.isError, `${name}: ${JSON.stringify(r.content)}`).not.toBe(true);
        return r.structuredContent as Record<string, { id: string }[]>;
      };
      const check = (await ok('create_check', { name: 'api', type: 'web', url: 'http://127.0.0.1:9/' }))
        .checks?.[0];
      await ok('create_heartbeat', { name: 'nightly backup', period_seconds: 86_400, grace_seconds: 600 });
      for (const name of [
        'get_status_overview',
        'get_incidents',
        'list_checks',
        'list_heartbeats',
        'get_oncalls',
      ])
        await ok(name);
      await ok('get_check_details', { check_id: check?.id });
      await ok('pause_check', { check_id: check?.id });
    } finally {
      await client.close();
    }
  });
});
