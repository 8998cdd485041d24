import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { callJson, connect, toolNames } from '../../test/helpers/clients.js';
import { tempDir } from '../../test/helpers/vigil.js';
import { ConfigError, parseConfig } from '../core/config.js';
import { UnauthorizedError } from '../core/errors.js';
import type { HeartbeatsPort } from '../core/heartbeats.js';
import { silentLogger } from '../core/log.js';
import type { ProviderFactory } from '../core/provider.js';
import type { HttpApp } from '../http/app.js';
import { pingeraPerRequest } from '../providers/pingera/index.js';
import { Authenticator } from '../server/auth.js';
import {
  activeProviders,
  allVariables,
  configure,
  eventsApiUrl,
  makeProviders,
  PROVIDERS,
  upstreamAuth,
} from './providers.js';
import { openRuntime, type Runtime } from './runtime.js';
import { httpApp } from './serve.js';

const SEED = { TRANSPORT_MODE: 'sse', HTTP_HOST: '0.0.0.0', REQUIRE_AUTH_HEADER: 'true' };

describe("the Pingera seed's remote setup", () => {
  it('makes Pingera a per-request provider: a non-Vigil Authorization is the Pingera credential', () => {
    const config = parseConfig(SEED);
    expect(pingeraPerRequest(config)).toBe(true);
    expect([...activeProviders(config)].sort()).toEqual(['embedded', 'pingera']);
    expect(upstreamAuth(config)?.provider).toBe('pingera');
    expect(pingeraPerRequest(parseConfig({ ...SEED, TRANSPORT_MODE: 'http' }))).toBe(true);
  });

  it('needs every part of it, and gives way to a configured credential or VIGIL_PROVIDERS', () => {
    for (const env of [
      { ...SEED, REQUIRE_AUTH_HEADER: 'false' },
      { HTTP_HOST: '0.0.0.0', REQUIRE_AUTH_HEADER: 'true' }, // `vigil serve` without TRANSPORT_MODE
      { ...SEED, TRANSPORT_MODE: 'stdio' },
      { ...SEED, PINGERA_API_KEY: 'k' },
      { ...SEED, VIGIL_PROVIDERS: 'embedded' },
    ]) {
      expect(pingeraPerRequest(parseConfig(env)), JSON.stringify(env)).toBe(false);
    }
    expect(activeProviders(parseConfig({ ...SEED, VIGIL_PROVIDERS: 'embedded' })).has('pingera')).toBe(false);
    expect(activeProviders(parseConfig({ ...SEED, PINGERA_API_KEY: 'k' })).has('pingera')).toBe(true);
  });
});

/**
 * A third provider that exists only here: its one variable (ACME_REGION) is its own, it reads
 * its caller's token from `X-Acme-Token`, serves heartbeats from that caller's "account", and
 * cannot delete one. Nothing in core/, server/ or http/ knows of it.
 */
const ACME_VARIABLES = [
  {
    name: 'ACME_REGION',
    default: 'eu',
    schema: z.enum(['eu', 'us'], { error: 'accepts eu or us' }),
    description: 'Acme region.',
  },
] as const;
const acme: ProviderFactory = (config) => ({
  name: 'acme',
  settings: config.settingsOf(ACME_VARIABLES),
  variables: ACME_VARIABLES,
  configured: true,
  unsupportedTools: ['delete_heartbeat'],
  credential: (request) => {
    const token = request.headers['x-acme-token'];
    return typeof token === 'string' ? token : undefined;
  },
  portsFor: ({ credential }) => ({
    heartbeats: {
      listHeartbeats: async () => {
        if (credential !== 'acme-secret') throw new UnauthorizedError('Acme needs X-Acme-Token.');
        return { items: [], more: false };
      },
    } as unknown as HeartbeatsPort,
    meta: {
      testConnection: async () => [
        {
          provider: 'acme',
          connected: credential === 'acme-secret',
          details: { token: credential ?? 'none' },
        },
      ],
    },
  }),
});

describe('configure', () => {
  it('checks VIGIL_PROVIDERS against the providers of the list, naming them', () => {
    expect(() => configure(parseConfig({ VIGIL_PROVIDERS: 'pagerduty,pingra' }))).toThrow(
      "VIGIL_PROVIDERS: invalid value 'pagerduty,pingra', accepts a comma-separated list of embedded, pagerduty, pingera",
    );
    expect(configure(parseConfig({ VIGIL_PROVIDERS: 'acme' }), [...PROVIDERS, acme]).providers).toEqual([
      'acme',
    ]);
  });

  it.each([
    ['PAGERDUTY_EVENTS_URL', 'ftp://events.example.com', 'http:// or https://'],
    ['PAGERDUTY_USER_EMAIL', 'nobody', 'email'],
    ['PAGERDUTY_OAUTH_CALLBACK_PORT', '70000', 'port number'],
    ['PINGERA_TIMEOUT', '-1', 'positive'],
    ['PINGERA_MAX_RETRIES', '11', '0-10'],
    ['PINGERA_BASE_URL', 'not a url', 'https://'],
  ])("stops at a provider's bad variable: %s=%s", (name, value, accepts) => {
    let error: unknown;
    try {
      configure(parseConfig({ [name]: value }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as ConfigError).message).toContain(accepts);
  });

  it('makes the mode read_write for a PagerDuty credential alone, as the PagerDuty seed, unless told', () => {
    expect(configure(parseConfig({ PAGERDUTY_API_TOKEN: 't' })).mode).toBe('read_write');
    expect(configure(parseConfig({ PAGERDUTY_CLIENT_ID: 'c' })).mode).toBe('read_write');
    expect(configure(parseConfig({ PAGERDUTY_API_TOKEN: 't', VIGIL_MODE: 'read_only' })).mode).toBe(
      'read_only',
    );
    expect(configure(parseConfig({ PAGERDUTY_API_TOKEN: 't', PINGERA_API_KEY: 'k' })).mode).toBe('read_only');
    expect(configure(parseConfig({ PAGERDUTY_API_TOKEN: 't', VIGIL_PROVIDERS: 'pagerduty' })).mode).toBe(
      'read_only',
    );
    expect(configure(parseConfig({ PINGERA_API_KEY: 'k' })).mode).toBe('read_only');
  });

  it("lists every provider's variables beside core's, once each", () => {
    const names = allVariables(parseConfig({}), [...PROVIDERS, acme]).map((v) => v.name);
    expect(names).toEqual(
      expect.arrayContaining(['VIGIL_MODE', 'PAGERDUTY_API_TOKEN', 'PINGERA_API_KEY', 'ACME_REGION']),
    );
    expect(new Set(names).size).toBe(names.length);
  });

  it('sends PagerDuty events to the US host, the EU host for EU accounts, or where told', () => {
    const urlFor = (env: Record<string, string>) =>
      eventsApiUrl(makeProviders(parseConfig(env), silentLogger(), [...PROVIDERS, acme]));
    expect(urlFor({})).toBe('https://events.pagerduty.com/v2/enqueue');
    expect(urlFor({ PAGERDUTY_API_HOST: 'https://api.eu.pagerduty.com' })).toBe(
      'https://events.eu.pagerduty.com/v2/enqueue',
    );
    expect(
      urlFor({
        PAGERDUTY_API_HOST: 'https://api.eu.pagerduty.com',
        PAGERDUTY_EVENTS_URL: 'http://127.0.0.1:8080/v2/enqueue',
      }),
    ).toBe('http://127.0.0.1:8080/v2/enqueue');
  });
});

describe('a provider list with a third provider', () => {
  let rt: Runtime;
  let app: HttpApp;
  let base: string;

  beforeAll(async () => {
    const config = parseConfig({
      VIGIL_MODE: 'read_write',
      VIGIL_TOOLSETS: 'all',
      HTTP_PORT: '0',
      VIGIL_DATA_DIR: tempDir(),
    });
    rt = await openRuntime(config, silentLogger(), { providers: [...PROVIDERS, acme] });
    app = await httpApp(
      rt,
      new Authenticator(config, rt.embedded.apiKeys, upstreamAuth(config, rt.providers)),
    );
    base = `http://127.0.0.1:${(await app.listen()).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await rt?.close();
  });

  it('is in use, answers each caller with its own credential, and hides what it cannot do', async () => {
    expect([...activeProviders(rt.config, rt.providers)].sort()).toEqual(['acme', 'embedded']);
    const [withToken, without] = await Promise.all([
      connect('http-modern', { base, headers: { 'X-Acme-Token': 'acme-secret' } }),
      connect('http-modern', { base }),
    ]);
    try {
      const listed = await toolNames(withToken);
      expect(listed).toContain('list_heartbeats');
      expect(listed).not.toContain('delete_heartbeat');
      const deleted = await callJson(withToken, 'delete_heartbeat', { heartbeat_id: 'hb1' });
      expect(deleted.body.error).toMatchObject({ code: 'NOT_SUPPORTED', details: { provider: 'acme' } });

      expect((await callJson(withToken, 'list_heartbeats')).body.heartbeats).toEqual([]);
      const refused = await callJson(without, 'list_heartbeats');
      expect(refused.body.error).toMatchObject({ code: 'UNAUTHORIZED', message: 'Acme needs X-Acme-Token.' });

      const report = async (client: typeof withToken) =>
        (await callJson(client, 'test_connection')).body.connections as {
          provider: string;
          connected: boolean;
        }[];
      expect((await report(withToken)).map((r) => [r.provider, r.connected])).toEqual([
        ['embedded', true],
        ['acme', true],
      ]);
      expect((await report(without)).find((r) => r.provider === 'acme')).toMatchObject({
        connected: false,
        details: { token: 'none' },
      });
    } finally {
      await Promise.all([withToken.close(), without.close()]);
    }
  });

  it('keeps an SSE session to the provider credential it was opened with', async () => {
    const stream = new AbortController();
    const res = await fetch(`${base}/sse`, {
      headers: { 'X-Acme-Token': 'acme-secret' },
      signal: stream.signal,
    });
    try {
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      while (!/data: (\S+)/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      const endpoint = new URL((/data: (\S+)/.exec(text) as RegExpExecArray)[1] as string, base);
      const post = (token: string) =>
        fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'X-Acme-Token': token },
          body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
        });
      expect((await post('someone-else')).status).toBe(403);
      expect((await post('acme-secret')).status).toBe(202);
    } finally {
      stream.abort();
    }
  });
});
