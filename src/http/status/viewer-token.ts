/**
 * Viewer tokens for private status pages: what a page's links carry instead of the key it was
 * opened with. A token names one page and an expiry, signed with HMAC-SHA256 under a key derived
 * from the server's secret key (VIGIL_SECRET_KEY or the data directory's key file), so it needs
 * no storage, works on every node that shares that secret, and is worth nothing after it expires
 * or on another page. It cannot be revoked before then: keep VIEWER_TOKEN_TTL_MS short.
 */
import { TokenSigner } from '../../core/signed-token.js';

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
  const signer = new TokenSigner(secret, 'vigil status-page viewer token v1', now);
  return {
    issue: (pageId) => signer.issue({ p: pageId }, now() + VIEWER_TOKEN_TTL_MS),
    verify(token, pageId) {
      const opened = signer.open(token);
      return opened.ok && opened.claims.p === pageId;
    },
  };
}
