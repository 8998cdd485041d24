/**
 * Official MCP SDK clients over every real transport Vigil serves.
 */
import { Client, SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { expect } from 'vitest';
import { VIGIL_BIN } from './vigil.js';

export type TransportKind = 'stdio-legacy' | 'stdio-modern' | 'http-legacy' | 'http-modern' | 'sse';
export const HTTP_TRANSPORTS: TransportKind[] = ['http-legacy', 'http-modern', 'sse'];

export interface ConnectOptions {
  base?: string;
  headers?: Record<string, string>;
  env?: Record<string, string>;
}

export async function connect(kind: TransportKind, opts: ConnectOptions): Promise<Client> {
  const modern = kind.endsWith('modern');
  const client = new Client(
    { name: 'e2e', version: '1' },
    { versionNegotiation: { mode: modern ? 'auto' : 'legacy' } },
  );
  const requestInit = { headers: opts.headers ?? {} };
  if (kind.startsWith('stdio')) {
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [VIGIL_BIN],
        env: { PATH: process.env.PATH ?? '', VIGIL_LOG_LEVEL: 'warn', ...opts.env },
        stderr: 'ignore',
      }),
    );
  } else if (kind === 'sse') {
    await client.connect(new SSEClientTransport(new URL(`${opts.base}/sse`), { requestInit }));
  } else {
    await client.connect(new StreamableHTTPClientTransport(new URL(`${opts.base}/mcp`), { requestInit }));
  }
  if (modern) expect(client.getProtocolEra()).toBe('modern');
  else expect(client.getProtocolEra()).toBe('legacy');
  return client;
}

export async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((t) => t.name);
}

export async function callJson(client: Client, name: string, args: Record<string, unknown> = {}) {
  const r = await client.callTool({ name, arguments: args });
  // Errors carry their envelope as text only (see build-server.ts).
  const body = r.structuredContent ?? JSON.parse((r.content as { text: string }[])[0]?.text ?? 'null');
  return { isError: r.isError === true, body: body as Record<string, any> };
}
