/**
 * Responder links: what every page to a person carries, `/r/<token>`, opening a small page where
 * that person acknowledges, resolves, escalates or snoozes that one incident without an agent.
 * A token names one incident, one user and an expiry, signed (signed-token.ts) under the server's
 * secret key (VIGIL_SECRET_KEY or the data directory's key file), so it needs no storage and every
 * node sharing that secret accepts it. The page's forms carry a second token,
 * bound to the link and the hour it was rendered, so a POST must come from a page this server drew.
 */
import { TokenSigner } from './signed-token.js';

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
  // Keys of their own per purpose: a form token can never pass for a link token.
  const links = new TokenSigner(secret, 'vigil responder link v1', now);
  const forms = new TokenSigner(secret, 'vigil responder form v1', now);
  return {
    issue: (incidentId, userId, issuedAt = now()) =>
      links.issue({ i: incidentId, u: userId }, issuedAt + RESPONDER_LINK_TTL_MS),
    verify(token) {
      const opened = links.open(token);
      if (!opened.ok) return opened;
      const { i, u } = opened.claims;
      if (typeof i !== 'string' || typeof u !== 'string') return { ok: false, reason: 'invalid' };
      return { ok: true, incidentId: i, userId: u, expiresAt: opened.expiresAt };
    },
    formToken(link) {
      const bucket = Math.floor(now() / FORM_BUCKET_MS);
      return `${bucket}.${forms.mac(`${bucket}.${link}`).toString('base64url')}`;
    },
    checkForm(link, given) {
      const [b, sig, extra] = given.split('.');
      const bucket = Number(b);
      const current = Math.floor(now() / FORM_BUCKET_MS);
      if (!sig || extra !== undefined || !Number.isInteger(bucket)) return false;
      if (bucket > current || bucket <= current - FORM_BUCKETS) return false;
      return forms.matches(`${bucket}.${link}`, sig);
    },
  };
}
