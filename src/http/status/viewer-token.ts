/**
 * Viewer tokens for private status pages: what a page's links carry instead of the key it was
 * opened with. A token names one page and an expiry, signed with HMAC-SHA256 under a key derived
 * from the server's secret key (VIGIL_SECRET_KEY or the data directory's key file), so it needs
 * no storage, works on every node that shares that secret, and is worth nothing after it expires
 * or on another page. It cannot be revoked before then: keep VIEWER_TOKEN_TTL_MS short.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a viewer token opens its page. */
export const VIEWER_TOKEN_TTL_MS = 60 * 60 * 1000;

export interface ViewerTokens {
  /** A token opening `pageId` until now + VIEWER_TOKEN_TTL_MS. */
  issue(pageId: string): string;
  /** True when `token` is this server's, for `pageId`, and not expired. */
  verify(token: string, pageId: string): boolean;
}

/**
 * Viewer tokens signed under `secret` (read on first use, so no key file is made until a private
 * page is opened with a key). `now` is for tests.
 */
export function viewerTokens(secret: () => Buffer, now: () => number = Date.now): ViewerTokens {
  let key: Buffer | undefined;
  // A key of its own, derived from the secret: a token's MAC never uses the secrets' cipher key as is.
  const signingKey = () => {
    key ??= createHmac('sha256', secret()).update('vigil status-page viewer token v1').digest();
    return key;
  };
  const sign = (payload: string) => createHmac('sha256', signingKey()).update(payload).digest();
  return {
    issue(pageId) {
      const payload = Buffer.from(
        JSON.stringify({ p: pageId, e: Math.floor((now() + VIEWER_TOKEN_TTL_MS) / 1000) }),
      ).toString('base64url');
      return `${payload}.${sign(payload).toString('base64url')}`;
    },
    verify(token, pageId) {
      const [payload, mac, extra] = token.split('.');
      if (!payload || !mac || extra !== undefined) return false;
      const given = Buffer.from(mac, 'base64url');
      const expected = sign(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
      try {
        const { p, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
          p?: unknown;
          e?: unknown;
        };
        return p === pageId && typeof e === 'number' && e * 1000 > now();
      } catch {
        return false;
      }
    },
  };
}
