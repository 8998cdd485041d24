/**
 * The Slack-compatible body of Mattermost and Rocket.Chat: an incident's title cannot mention a
 * whole channel, while the message still reads the same.
 */
import { describe, expect, it } from 'vitest';
import { pageMessage } from '../../../../../test/helpers/fake-chat.js';
import { slackCompatibleMessage } from './mattermost.js';

describe('slackCompatibleMessage', () => {
  it('breaks @channel, @all and @here in what a sender wrote, and keeps other @ text', () => {
    const body = slackCompatibleMessage(
      pageMessage({
        title: '[#7] Disk full @channel @ALL @here mail ops@example.com',
        text: '[#7] Disk full @here',
        fields: [{ name: 'Service', value: 'db @all' }],
        link: 'https://vigil.example.com/r/abc.def',
      }),
    );
    const json = JSON.stringify(body);
    expect(json).not.toMatch(/@(channel|all|here)\b/i);
    expect(json).toContain('ops@example.com');
    expect(body).toMatchObject({
      text: '**[#7] Disk full @\u200bchannel @\u200bALL @\u200bhere mail ops@example.com** — [Acknowledge](https://vigil.example.com/r/abc.def)',
      attachments: [{ fallback: '[#7] Disk full @\u200bhere', fields: [{ value: 'db @\u200ball' }] }],
    });
  });
});
