/**
 * Responder links: what every page to a person carries, `/r/<token>`, opening a small page where
 * that person acknowledges, resolves, escalates or snoozes that one incident without an agent.
 * A token names one incident, one user and an expiry, signed with HMAC-SHA256 under a key derived
 * from the server's secret key (VIGIL_SECRET_KEY or the data directory's key file), so it needs no
 * storage and every node sharing that secret accepts it. The page's forms carry a second token,
 * bound to the link and the hour it was rendered, so a POST must come from a page this server drew.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a link acts on its incident after the page that carried it was sent. */
export const RESPONDER_LINK_TTL_MS = 7 * 86_400_000;
/** A form token's lifetime is counted in these buckets. */
const FORM_BUCKET_MS = 60 * 60 * 1000;
/** A page left open this many hours can still post. */
const FORM_BUCKETS = 12;

export type LinkCheck =
  | { ok: true; incidentId: string; userId: string; expiresAt: number }
  | { ok: false; reason: 'invalid' | 'expired' };

export interface ResponderTokens {
  /** A token acting on `incidentId` as `userId` until `issuedAt` + RESPONDER_LINK_TTL_MS. */
  issue(incidentId: string, userId: string, issuedAt?: number): string;
  /** What `token` names, when it is this server's and not expired. */
  verify(token: string): LinkCheck;
  /** The form token for a page drawn now for `link`. */
  formToken(link: string): string;
  /** True when `given` is a form token this server drew for `link` in the last FORM_BUCKETS hours. */
  checkForm(link: string, given: string): boolean;
}

/** The path of a responder page, under the server's public address. */
export const responderUrl = (publicUrl: string, token: string) =>
  `${publicUrl.replace(/\/+$/, '')}/r/${token}`;

/** Tokens signed under `secret` (read on first use). `now` is for tests. */
export function responderTokens(secret: () => Buffer, now: () => number = Date.now): ResponderTokens {
  const keys = new Map<string, Buffer>();
  // Keys of their own, derived from the secret: never the secrets' cipher key as is, and a form
  // token can never pass for a link token.
  const key = (purpose: string) => {
    let k = keys.get(purpose);
    if (!k) {
      k = createHmac('sha256', secret()).update(`vigil responder ${purpose} v1`).digest();
      keys.set(purpose, k);
    }
    return k;
  };
  const mac = (purpose: string, data: string) => createHmac('sha256', key(purpose)).update(data).digest();
  const same = (given: string, expected: Buffer) => {
    const g = Buffer.from(given, 'base64url');
    return g.length === expected.length && timingSafeEqual(g, expected);
  };
  return {
    issue(incidentId, userId, issuedAt = now()) {
      const payload = Buffer.from(
        JSON.stringify({
          i: incidentId,
          u: userId,
          e: Math.floor((issuedAt + RESPONDER_LINK_TTL_MS) / 1000),
        }),
      ).toString('base64url');
      return `${payload}.${mac('link', payload).toString('base64url')}`;
    },
    verify(token) {
      const [payload, sig, extra] = token.split('.');
      if (!payload || !sig || extra !== undefined || !same(sig, mac('link', payload)))
        return { ok: false, reason: 'invalid' };
      let claims: { i?: unknown; u?: unknown; e?: unknown };
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
      } catch {
        return { ok: false, reason: 'invalid' };
      }
      const { i, u, e } = claims;
      if (typeof i !== 'string' || typeof u !== 'string' || typeof e !== 'number')
        return { ok: false, reason: 'invalid' };
      if (e * 1000 <= now()) return { ok: false, reason: 'expired' };
      return { ok: true, incidentId: i, userId: u, expiresAt: e * 1000 };
    },
    formToken(link) {
      const bucket = Math.floor(now() / FORM_BUCKET_MS);
      return `${bucket}.${mac('form', `${bucket}.${link}`).toString('base64url')}`;
    },
    checkForm(link, given) {
      const [b, sig, extra] = given.split('.');
      const bucket = Number(b);
      const current = Math.floor(now() / FORM_BUCKET_MS);
      if (!sig || extra !== undefined || !Number.isInteger(bucket)) return false;
      if (bucket > current || bucket <= current - FORM_BUCKETS) return false;
      return same(sig, mac('form', `${bucket}.${link}`));
    },
  };
}
