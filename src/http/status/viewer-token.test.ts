import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VIEWER_TOKEN_TTL_MS, viewerTokens } from './viewer-token.js';

describe('viewer tokens', () => {
  const secret = randomBytes(32);
  let now = Date.parse('2026-12-04T12:00:00Z');
  const tokens = viewerTokens(
    () => secret,
    () => now,
  );

  it('open their page until they expire, and no longer', () => {
    const token = tokens.issue('page-1');
    expect(tokens.verify(token, 'page-1')).toBe(true);
    now += VIEWER_TOKEN_TTL_MS - 1000;
    expect(tokens.verify(token, 'page-1')).toBe(true);
    now += 2000;
    expect(tokens.verify(token, 'page-1')).toBe(false);
  });

  it('open no other page, and nothing under another secret or when altered', () => {
    const token = tokens.issue('page-1');
    expect(tokens.verify(token, 'page-2')).toBe(false);
    expect(
      viewerTokens(
        () => randomBytes(32),
        () => now,
      ).verify(token, 'page-1'),
    ).toBe(false);
    const [payload, mac] = token.split('.') as [string, string];
    // Another page id with the old signature.
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), p: 'page-2' }),
    ).toString('base64url');
    expect(tokens.verify(`${forged}.${mac}`, 'page-2')).toBe(false);
    for (const bad of ['', '.', 'abc', `${payload}.`, `${payload}.${mac}.x`, `${payload}.${mac.slice(2)}`])
      expect(tokens.verify(bad, 'page-1'), bad).toBe(false);
  });
});
