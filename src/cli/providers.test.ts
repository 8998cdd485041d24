import { describe, expect, it } from 'vitest';
import { parseConfig } from '../core/config.js';
import { activeProviders, pingeraPerRequest, upstreamAuth } from './providers.js';

const SEED = { TRANSPORT_MODE: 'sse', HTTP_HOST: '0.0.0.0', REQUIRE_AUTH_HEADER: 'true' };

describe("the Pingera seed's remote setup", () => {
  it('makes Pingera a per-request provider: a non-Vigil Authorization is the Pingera credential', () => {
    const config = parseConfig(SEED);
    expect(pingeraPerRequest(config)).toBe(true);
    expect([...activeProviders(config)].sort()).toEqual(['embedded', 'pingera']);
    expect(upstreamAuth(config).pingera).toBe(true);
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
