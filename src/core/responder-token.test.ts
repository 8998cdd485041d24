import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RESPONDER_LINK_TTL_MS, responderTokens } from './responder-token.js';

describe('responder link tokens', () => {
  const secret = randomBytes(32);
  let now = Date.parse('2026-12-04T12:00:00Z');
  const tokens = responderTokens(
    () => secret,
    () => now,
  );

  it('name their incident and user until they expire, then say expired', () => {
    const token = tokens.issue('inc-a', 'user-1');
    expect(tokens.verify(token)).toEqual({
      ok: true,
      incidentId: 'inc-a',
      userId: 'user-1',
      expiresAt: now + RESPONDER_LINK_TTL_MS,
    });
    now += RESPONDER_LINK_TTL_MS - 1000;
    expect(tokens.verify(token).ok).toBe(true);
    now += 2000;
    expect(tokens.verify(token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('are invalid when altered, cut short or signed under another secret', () => {
    const token = tokens.issue('inc-a', 'user-1');
    const [payload, mac] = token.split('.') as [string, string];
    // Another incident (or user) with the old signature: the page never acts on it.
    for (const change of [{ i: 'inc-b' }, { u: 'user-2' }, { e: 9_999_999_999 }]) {
      const forged = Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), ...change }),
      ).toString('base64url');
      expect(tokens.verify(`${forged}.${mac}`)).toEqual({ ok: false, reason: 'invalid' });
    }
    const elsewhere = responderTokens(
      () => randomBytes(32),
      () => now,
    );
    expect(elsewhere.verify(token)).toEqual({ ok: false, reason: 'invalid' });
    for (const bad of ['', '.', 'abc', `${payload}.`, `${payload}.${mac}.x`, `${payload}.${mac.slice(2)}`])
      expect(tokens.verify(bad), bad).toEqual({ ok: false, reason: 'invalid' });
  });

  it('issue form tokens good for their link only, for twelve hours', () => {
    const a = tokens.issue('inc-a', 'user-1');
    const b = tokens.issue('inc-b', 'user-1');
    const form = tokens.formToken(a);
    expect(tokens.checkForm(a, form)).toBe(true);
    expect(tokens.checkForm(b, form)).toBe(false);
    // A link token is no form token, nor the other way round.
    expect(tokens.checkForm(a, a)).toBe(false);
    expect(tokens.verify(form).ok).toBe(false);
    for (const bad of ['', '1.', `${form}x`, form.replace(/^\d+/, (n) => String(Number(n) + 1))])
      expect(tokens.checkForm(a, bad), bad).toBe(false);
    now += 11 * 3_600_000;
    expect(tokens.checkForm(a, form)).toBe(true);
    now += 3_600_000;
    expect(tokens.checkForm(a, form)).toBe(false);
  });
});
