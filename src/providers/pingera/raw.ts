/**
 * Reading what Pingera sends back: readers that take `unknown` and never guess a value, ISO
 * timestamps normalised the way Vigil answers them, and a 404 turned into the NOT_FOUND a tool
 * expects (naming the parameter) instead of the client's "Pingera has no <path>".
 *
 * Pingera's SDK marks nearly every field Optional, so `null` and absent are read the same.
 */
import { NotFoundError, VigilError } from '../../core/errors.js';

import { obj, type Raw, str } from '../shared/read.js';
import { isNotFound } from '../shared/rest.js';

export { arr, bool, defined, num, obj, type Raw, str } from '../shared/read.js';
export { isNotFound } from '../shared/rest.js';

/**
 * A timestamp as ISO 8601 in UTC, or null. Pingera's API is Python: `isoformat()` of a naive
 * datetime carries no zone, and those are UTC (the zone of everything else it sends).
 */
export function iso(v: unknown): string | null {
  const s = str(v);
  if (!s) return null;
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(s) || !s.includes('T') ? s : `${s}Z`;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** A timestamp every Vigil object has (`created_at`): the first of the candidates that reads. */
export function isoOr(...candidates: unknown[]): string {
  for (const c of candidates) {
    const t = iso(c);
    if (t) return t;
  }
  return '';
}

/** A window bound as Pingera's date-time query parameters take it. */
export const at = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

/** An object Pingera must have sent with an id; anything else is Pingera's fault, said as such. */
export function record(v: unknown, what: string): Raw & { id: string } {
  const o = obj(v);
  const id = str(o?.id);
  if (!o || !id) {
    throw new VigilError('UPSTREAM_ERROR', `Pingera answered ${what} without an id; try again later.`, {
      provider: 'pingera',
    });
  }
  return o as Raw & { id: string };
}

/** Runs a request; its 404 becomes "No <resource> with id '<id>' (parameter `<parameter>`)". */
export async function orNotFound<T>(
  request: Promise<T>,
  resource: string,
  id: string,
  parameter: string,
): Promise<T> {
  try {
    return await request;
  } catch (err) {
    if (isNotFound(err)) throw new NotFoundError(resource, id, parameter);
    throw err;
  }
}

/** A path segment: ids come from callers, so they are escaped. */
export const seg = (id: string): string => encodeURIComponent(id);
