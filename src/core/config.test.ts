import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopbackHost, parseConfig, VARIABLES } from './config.js';
import { defaultDataDir } from './data-dir.js';

describe('parseConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const c = parseConfig({});
    expect(c.mode).toBe('read_only');
    expect(c.httpHost).toBe('127.0.0.1');
    expect(c.httpPort).toBe(5000);
    expect(c.dataDir).toBe(defaultDataDir({}));
    expect(parseConfig({ HOME: '/home/ann' }).dataDir).toMatch(/^\/home\/ann\/.+vigil$/);
    expect(c.maxResponseTokens).toBe(20000);
    expect(c.requireAuthHeader).toBe(false);
    expect(c.transport).toBeUndefined();
    expect(c.databaseUrl).toBeUndefined();
  });

  it('reads the seed spellings as aliases, the Vigil name winning', () => {
    expect(parseConfig({ PINGERA_MODE: 'read_write' }).mode).toBe('read_write');
    expect(parseConfig({ PINGERA_MODE: 'read_write', VIGIL_MODE: 'read_only' }).mode).toBe('read_only');
    expect(parseConfig({ PINGERA_HTTP_PORT: '6000' }).httpPort).toBe(6000);
    expect(parseConfig({ TRANSPORT_MODE: 'sse' }).transport).toBe('sse');
  });

  it('parses lists and booleans', () => {
    const c = parseConfig({
      VIGIL_TOOLS: ' get_users, get_teams ,',
      REQUIRE_AUTH_HEADER: 'TRUE'.toLowerCase(),
    });
    expect(c.tools).toEqual(['get_users', 'get_teams']);
    expect(c.requireAuthHeader).toBe(true);
  });

  it.each([
    ['VIGIL_MODE', 'admin', 'read_only or read_write'],
    ['PINGERA_MODE', 'rw', 'read_only or read_write'],
    ['HTTP_PORT', '70000', 'port number'],
    ['HTTP_PORT', 'abc', 'port number'],
    ['VIGIL_MAX_RESPONSE_TOKENS', '-5', 'positive'],
    ['REQUIRE_AUTH_HEADER', 'maybe', 'true or false'],
    ['VIGIL_DATABASE_URL', 'mysql://x', 'postgres://'],
    ['VIGIL_USER_EMAIL', 'not-an-email', 'email'],
    ['VIGIL_JWT_SECRET', 'short', '32 characters'],
    ['VIGIL_LOG_LEVEL', 'loud', 'info'],
    ['TRANSPORT_MODE', 'grpc', 'stdio, sse or http'],
  ])('rejects %s=%s naming the variable and what it accepts', (name, value, accepts) => {
    let error: unknown;
    try {
      parseConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as ConfigError).message).toContain(name);
    expect((error as ConfigError).message).toContain(accepts);
    expect((error as ConfigError).message).not.toContain('\n');
  });

  it('knows whether the public URL was given or guessed, and the sessions a client may hold', () => {
    const guessed = parseConfig({ HTTP_PORT: '8080', VIGIL_MAX_SESSIONS: '20' });
    expect(guessed).toMatchObject({ publicUrl: 'http://127.0.0.1:8080', publicUrlGiven: false });
    expect(guessed.maxSessionsPerClient).toBe(10);
    const given = parseConfig({
      VIGIL_PUBLIC_URL: 'https://vigil.example.com/',
      VIGIL_MAX_SESSIONS_PER_CLIENT: '3',
    });
    expect(given).toMatchObject({
      publicUrl: 'https://vigil.example.com',
      publicUrlGiven: true,
      maxSessionsPerClient: 3,
    });
  });

  it('declares every variable once', () => {
    const names = VARIABLES.flatMap((v) => [v.name, ...('aliases' in v ? v.aliases : [])]);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['10.0.0.1', false],
    ['::', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
