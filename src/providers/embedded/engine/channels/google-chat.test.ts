/**
 * The Google Chat message: its `text` cannot mention every member of a space from an incident's
 * title; the card keeps the facts and the Acknowledge link.
 */
import { describe, expect, it } from 'vitest';
import { pageMessage } from '../../../../../test/helpers/fake-chat.js';
import { googleChatMessage } from './google-chat.js';

describe('googleChatMessage', () => {
  it('breaks <users/all> and <users/123> in the title', () => {
    const body = googleChatMessage(pageMessage({ title: '[#7] Disk full <users/all> <users/123>' })) as {
      text: string;
    };
    expect(body.text).toBe('[#7] Disk full <\u200busers/all> <\u200busers/123>');
  });
});
