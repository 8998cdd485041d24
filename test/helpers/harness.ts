/**
 * A real MCP client talking to a real Vigil server in-process (in-memory transport), on a real
 * store. For tool tests; end-to-end tests use the built binary over real transports instead.
 */
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { expect } from 'vitest';
import { localPrincipal, openRuntime, type Runtime } from '../../src/cli/runtime.js';
import { parseConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import type { Principal } from '../../src/core/principal.js';
import { buildServer } from '../../src/server/build-server.js';

export interface ToolAnswer {
  isError: boolean;
  body: Record<string, any>;
}

export interface Harness {
  rt: Runtime;
  client: Client;
  call(name: string, args?: Record<string, unknown>): Promise<ToolAnswer>;
  /** Calls and fails the test on an error result. */
  ok(name: string, args?: Record<string, unknown>): Promise<Record<string, any>>;
  /** A second client with another principal on the same runtime. */
  as(principal: Partial<Principal>): Promise<Harness>;
  close(): Promise<void>;
}

export async function openHarness(opts: {
  store: { dataDir: string; databaseUrl?: string };
  env?: Record<string, string>;
  principal?: Partial<Principal>;
}): Promise<Harness> {
  const config = parseConfig({
    VIGIL_MODE: 'read_write',
    VIGIL_DATA_DIR: opts.store.dataDir,
    ...(opts.store.databaseUrl && { VIGIL_DATABASE_URL: opts.store.databaseUrl }),
    ...opts.env,
  });
  const rt = await openRuntime(config, silentLogger());
  const clients: Client[] = [];
  const connect = async (principal: Partial<Principal>): Promise<Harness> => {
    const client = new Client({ name: 'harness', version: '1' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await buildServer(rt.service, { principal: { ...localPrincipal(config), ...principal } }).connect(
      serverSide,
    );
    await client.connect(clientSide);
    clients.push(client);
    const call = async (name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> => {
      const r = await client.callTool({ name, arguments: args });
      const text = JSON.parse((r.content as { text: string }[])[0]?.text ?? 'null');
      // Errors carry their envelope as text only (see build-server.ts); results carry both.
      if (r.isError) expect(r.structuredContent).toBeUndefined();
      else expect(text).toEqual(r.structuredContent);
      const body = text as Record<string, any>;
      return { isError: r.isError === true, body };
    };
    return {
      rt,
      client,
      call,
      async ok(name, args) {
        const r = await call(name, args);
        if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.body)}`);
        return r.body;
      },
      as: (p) => connect({ ...principal, ...p }),
      async close() {
        await Promise.all(clients.map((c) => c.close()));
        await rt.close();
      },
    };
  };
  return connect(opts.principal ?? {});
}
