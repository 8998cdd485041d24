/**
 * The phone channel's TwiML: the speech said twice, escaped, and cut to fit Twilio's 4,000
 * characters however many characters escaping lengthens, never inside a reference.
 */
import { describe, expect, it } from 'vitest';
import { twiml } from './phone.js';

describe('twiml', () => {
  it('says the speech twice, escaped', () => {
    const said = twiml('Disk <full> & "slow"');
    expect(said.match(/<Say>Disk &#60;full&#62; &#38; &#34;slow&#34;<\/Say>/g)).toHaveLength(2);
  });

  it("fits Twilio's 4,000 characters when escaping lengthens every character", () => {
    const said = twiml('&'.repeat(3000));
    expect(said.length).toBeLessThanOrEqual(4000);
    const say = /<Say>(.*?)<\/Say>/.exec(said)?.[1] ?? '';
    expect(say).toMatch(/^(&#38;)+$/);
    expect(say.length).toBeGreaterThan(1800);
  });
});
