/**
 * What the pages opened from a link in a message share (a responder's `/r/<token>`, a status-page
 * subscriber's confirm and manage links): headers that keep the link out of caches, referrers and
 * frames; the HTML answer; the check that a form was not posted from another site; and reading a
 * small form.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, discardRest, readBody } from './guards.js';

/** The link is a credential: no cache keeps it, no referrer carries it, no frame shows it. */
export const LINK_PAGE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'private, no-store',
  // Same-origin, not no-referrer: under no-referrer browsers send `Origin: null` with the form.
  'referrer-policy': 'same-origin',
  'x-robots-tag': 'noindex',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

/** Answers an HTML page (no body for HEAD) with LINK_PAGE_HEADERS and any `extra` headers. */
export function sendLinkPage(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...LINK_PAGE_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    ...extra,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * False when the request's Origin names another site than this server (as the browser reached
 * it, or its public URL). No Origin, or an opaque `null` (privacy settings send it), names none:
 * the form token is the check then.
 */
export function sameOrigin(req: IncomingMessage, publicUrl: string): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  return host === req.headers.host || host === new URL(publicUrl).host;
}

/** The posted form; undefined when it is over `limit` bytes (the rest is discarded unread). */
export async function readForm(req: IncomingMessage, limit: number): Promise<URLSearchParams | undefined> {
  try {
    return new URLSearchParams(await readBody(req, limit));
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    discardRest(req);
    return undefined;
  }
}
