/**
 * Who clicked on Slack: users.info under the bot token, against a fake of Slack's Web API that
 * answers as Slack does (200 with ok false for a bad token or an unknown user).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, fakeSlack } from '../../../test/helpers/fake-chat.js';
import { silentLogger } from '../../core/log.js';
import { slackUserEmails } from './slack-users.js';

describe('slackUserEmails', () => {
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await fakeSlack();
    slack.emails.set('U0ANN', 'ann@x.io');
  });
  afterAll(() => slack.close());

  it("answers a Slack user's email, and nothing for unknown users, bad ids or a wrong token", async () => {
    const lookup = slackUserEmails({ botToken: slack.botToken, apiUrl: `${slack.base}/api` }, silentLogger());
    expect(await lookup('U0ANN')).toBe('ann@x.io');
    expect(await lookup('U0NOBODY')).toBeUndefined();
    expect(await lookup('../../etc')).toBeUndefined();
    const wrong = slackUserEmails(
      { botToken: 'xoxb-wrong-token-0000', apiUrl: `${slack.base}/api` },
      silentLogger(),
    );
    expect(await wrong('U0ANN')).toBeUndefined();
  });

  it('keeps an answer ten minutes, and does not keep a refusal', async () => {
    let now = 0;
    const lookup = slackUserEmails(
      { botToken: slack.botToken, apiUrl: `${slack.base}/api/` },
      silentLogger(),
      () => now,
    );
    slack.emails.set('U0BOB', 'bob@x.io');
    expect(await lookup('U0BOB')).toBe('bob@x.io');
    slack.emails.set('U0BOB', 'robert@x.io');
    expect(await lookup('U0BOB')).toBe('bob@x.io');
    now += 10 * 60_000 + 1;
    expect(await lookup('U0BOB')).toBe('robert@x.io');
    expect(await lookup('U0LATER')).toBeUndefined();
    slack.emails.set('U0LATER', 'later@x.io');
    expect(await lookup('U0LATER')).toBe('later@x.io');
  });
});
