import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.js';
import { pagerDutySettings } from './settings.js';

describe('the PagerDuty provider reads its own variables', () => {
  it('as typed settings, with OAuth only when a client id is set', () => {
    expect(pagerDutySettings(parseConfig({ PAGERDUTY_API_TOKEN: 't' }))).toMatchObject({
      token: 't',
      host: 'https://api.pagerduty.com',
      oauth: undefined,
    });
    const oauth = pagerDutySettings(
      parseConfig({ PAGERDUTY_CLIENT_ID: 'c', PAGERDUTY_OAUTH_CALLBACK_PORT: '6000' }),
    ).oauth;
    expect(oauth).toEqual({ clientId: 'c', clientSecret: undefined, callbackPort: 6000 });
  });
});
