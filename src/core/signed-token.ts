/**
 * Signed, expiring tokens that need no storage: `<payload>.<mac>`, the payload base64url JSON
 * carrying an expiry `e` (seconds), the MAC HMAC-SHA256 under a key derived from the server's
 * secret for one purpose. A purpose's key is never the secret itself (the secrets' cipher key),
 * and one purpose's token never passes for another's. Every node sharing the secret accepts them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type Opened =
  | { ok: true; claims: Record<string, unknown>; expiresAt: number }
  | { ok: false; reason: 'invalid' | 'expired' };

export class TokenSigner {
  private key: Buffer | undefined;

  /** `secret` is read on first use (no key file is made before a token is needed); `now` is for tests. */
  constructor(
    private readonly secret: () => Buffer,
    private readonly purpose: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The MAC of `data` under this purpose's key. */
  mac(data: string): Buffer {
    this.key ??= createHmac('sha256', this.secret()).update(this.purpose).digest();
    return createHmac('sha256', this.key).update(data).digest();
  }

  /** True when `given` (base64url) is the MAC of `data`, compared in constant time. */
  matches(data: string, given: string): boolean {
    const g = Buffer.from(given, 'base64url');
    const expected = this.mac(data);
    return g.length === expected.length && timingSafeEqual(g, expected);
  }

  /** A token carrying `claims` until `expiresAt` (ms, kept to the second). */
  issue(claims: Record<string, unknown>, expiresAt: number): string {
    const payload = Buffer.from(JSON.stringify({ ...claims, e: Math.floor(expiresAt / 1000) })).toString(
      'base64url',
    );
    return `${payload}.${this.mac(payload).toString('base64url')}`;
  }

  /** The claims of a token this signer issued, unless it was altered or has expired. */
  open(token: string): Opened {
    const [payload, sig, extra] = token.split('.');
    if (!payload || !sig || extra !== undefined || !this.matches(payload, sig))
      return { ok: false, reason: 'invalid' };
    let claims: Record<string, unknown>;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (typeof claims !== 'object' || claims === null || typeof claims.e !== 'number')
      return { ok: false, reason: 'invalid' };
    if (claims.e * 1000 <= this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, claims, expiresAt: claims.e * 1000 };
  }
}
