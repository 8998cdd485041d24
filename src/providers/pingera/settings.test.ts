import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.js';
import { pingeraSettings } from './settings.js';

describe('the Pingera provider reads its own variables', () => {
  it('as typed settings, the timeout in milliseconds', () => {
    expect(pingeraSettings(parseConfig({ PINGERA_API_KEY: 'k', PINGERA_TIMEOUT: '7' }))).toEqual({
      apiKey: 'k',
      jwt: undefined,
      timeoutMs: 7000,
      maxRetries: 3,
      baseUrl: 'https://api.pingera.ru/v1',
    });
  });
});
