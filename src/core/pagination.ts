/**
 * Opaque cursors for `next_cursor`. A cursor carries the offset and a fingerprint of the query
 * it belongs to, so reusing it with other filters is an error rather than a wrong page.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from './errors.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export function fingerprint(filters: Record<string, unknown>): string {
  const canonical = JSON.stringify(
    Object.keys(filters)
      .sort()
      .filter((k) => filters[k] !== undefined)
      .map((k) => [k, filters[k]]),
  );
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 10);
}

export function encodeCursor(offset: number, print: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: print })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, print: string): number {
  if (cursor === undefined) return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const c = parsed as { o?: unknown; f?: unknown } | undefined;
  if (!c || typeof c.o !== 'number' || !Number.isInteger(c.o) || c.o < 0 || typeof c.f !== 'string') {
    throw new ValidationError(
      '`cursor` is not a cursor this server issued. Pass the `next_cursor` of a previous answer.',
      {
        parameter: 'cursor',
      },
    );
  }
  if (c.f !== print) {
    throw new ValidationError(
      '`cursor` belongs to a query with other filters. Repeat the same filters, or drop `cursor`.',
      {
        parameter: 'cursor',
      },
    );
  }
  return c.o;
}
