/**
 * The README's client configs, run as a client would: exactly their command and arguments, from
 * `/` as desktop clients start servers, with `vigil` on PATH as `npm link` puts it. The only
 * additions are a temporary HOME (the per-user data directory) and HTTP_PORT=0 (so the stdio
 * process's public routes never contend with other tests for port 5000).
 */
import { chmodSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakePagerDuty, startFakePagerDuty } from '../helpers/fake-pagerduty.js';
import { tempDir, VIGIL_BIN } from '../helpers/vigil.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const CHECKOUT = dirname(dirname(dirname(VIGIL_BIN)));

interface ServerConfig {
  command: string;
  args?: string[];
  env?: Record<string, string>;
  type?: string;
}

/** Every stdio server config in the README's JSON blocks, by name. */
function readmeConfigs(): Map<string, ServerConfig> {
  const out = new Map<string, ServerConfig>();
  for (const [, block] of README.matchAll(/```json\n([\s\S]*?)```/g)) {
    const doc = JSON.parse(block as string) as {
      mcpServers?: Record<string, ServerConfig>;
      servers?: Record<string, ServerConfig>;
    };
    for (const [name, config] of Object.entries({ ...doc.mcpServers, ...doc.servers }))
      if (config.command) out.set(`${name}:${out.size}`, config);
  }
  return out;
}

/** The alternative the README gives for clients that do not see PATH, with the checkout filled in. */
function absoluteForm(): ServerConfig {
  const m = /"command": "node", "args": \["\/path\/to\/vigil\/([^"]+)"\]/.exec(README);
  expect(m, 'the README names dist/cli/main.js for clients without PATH').not.toBeNull();
  return { command: 'node', args: [join(CHECKOUT, m?.[1] as string)] };
}

describe("the README's client configs", () => {
  const bin = tempDir('vigil-bin-');
  let fake: FakePagerDuty;
  beforeAll(async () => {
    // What `npm link` leaves: a `vigil` on PATH linked to the package's bin, made executable.
    chmodSync(VIGIL_BIN, 0o755);
    symlinkSync(VIGIL_BIN, join(bin, 'vigil'));
    fake = await startFakePagerDuty();
    fake.addAccount('u+XXXXXXXX', {
      me: 'PUSER01',
      users: [{ id: 'PUSER01', name: 'Ann', email: 'ann@example.com', teams: ['PTEAM01'] }],
      teams: [{ id: 'PTEAM01', name: 'Payments' }],
      escalation_policies: [
        { id: 'PEP01', name: 'Payments', rules: [{ targets: [{ type: 'user', id: 'PUSER01' }] }] },
      ],
      services: [{ id: 'PSVC01', name: 'Checkout', escalation_policy: 'PEP01', teams: ['PTEAM01'] }],
      incidents: [{ id: 'PINC01', title: 'Checkout is failing', service: 'PSVC01' }],
    });
  });
  afterAll(async () => {
    await fake?.close();
  });

  async function start(config: ServerConfig, extraEnv: Record<string, string> = {}) {
    const home = tempDir('vigil-home-');
    mkdirSync(join(home, '.local'), { recursive: true });
    const client = new Client({ name: 'readme', version: '1' });
    await client.connect(
      new StdioClientTransport({
        command: config.command,
        args: config.args ?? [],
        cwd: '/',
        env: {
          PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
          HOME: home,
          HTTP_PORT: '0',
          ...config.env,
          ...extraEnv,
        },
        stderr: 'ignore',
      }),
    );
    return client;
  }

  it('every stdio config starts and answers the first question', { timeout: 60_000 }, async () => {
    const configs = [...readmeConfigs().entries()].filter(([, c]) => !c.env?.PAGERDUTY_API_TOKEN);
    expect(configs.length).toBeGreaterThanOrEqual(2);
    for (const [name, config] of [...configs, ['absolute path', absoluteForm()] as const]) {
      expect(config.command, name).not.toBe('npx');
      const client = await start(config);
      try {
        const tools = (await client.listTools()).tools.map((t) => t.name);
        expect(tools.length, name).toBeLessThanOrEqual(40);
        const r = await client.callTool({ name: 'get_status_overview', arguments: {} });
        expect(r.isError, `${name}: ${JSON.stringify(r.content)}`).not.toBe(true);
      } finally {
        await client.close();
      }
    }
  });

  it('the PagerDuty drop-in lists the seed tools and acknowledges an incident', {
    timeout: 60_000,
  }, async () => {
    const [, config] = [...readmeConfigs().entries()].find(([, c]) => c.env?.PAGERDUTY_API_TOKEN) ?? [];
    expect(config?.env?.PAGERDUTY_API_TOKEN).toBe('u+XXXXXXXX');
    // Only where the fake listens is added: the config's own token is the fake account's.
    const client = await start(config as ServerConfig, { PAGERDUTY_API_HOST: fake.url });
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name).sort();
      const { PAGERDUTY_SEED_TOOLS } = await import('../../src/providers/pagerduty/seed.js');
      expect(tools).toEqual([...PAGERDUTY_SEED_TOOLS].sort());
      expect(tools).toHaveLength(12);
      const r = await client.callTool({ name: 'acknowledge_incident', arguments: { incident_id: 'PINC01' } });
      expect(r.isError, JSON.stringify(r.content)).not.toBe(true);
      const incidents = (r.structuredContent as { incidents: { id: string; status: string }[] }).incidents;
      expect(incidents[0]).toMatchObject({ id: 'PINC01', status: 'acknowledged' });
    } finally {
      await client.close();
    }
  });
});

describe("the README's questions", () => {
  it('name only tools of the default profile', async () => {
    const { resolveSelection } = await import('../../src/server/profiles.js');
    const { ALL_TOOLS } = await import('../../src/tools/registry.js');
    const core = resolveSelection(['core'], ALL_TOOLS, []);
    const section = README.slice(
      README.indexOf('### What you can ask it'),
      README.indexOf('### The tool list'),
    );
    const named = [...section.matchAll(/^\d+\. .* — (.+)$/gm)].flatMap(([, tools]) =>
      [...(tools as string).matchAll(/`([a-z_]+)`/g)].map(([, t]) => t as string),
    );
    expect(named.length).toBeGreaterThanOrEqual(10);
    for (const tool of named) expect(core.has(tool), tool).toBe(true);
  });
});
