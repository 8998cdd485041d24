/**
 * Timestamps in tool parameters, with the PagerDuty seed's messages: any ISO 8601 with a zone,
 * normalised to UTC; ranges at most six months.
 */
import { ValidationError } from '../core/errors.js';

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const MAX_RANGE_MS = 180 * 24 * 3600 * 1000;

/** Parses an ISO 8601 timestamp (a date alone means midnight UTC) into UTC ISO text. */
export function timestamp(value: string, parameter: string): string {
  const ms = ISO.test(value)
    ? Date.parse(/T.*(Z|[+-]\d{2}:?\d{2})$|^[^T]+$/.test(value) ? value : `${value}Z`)
    : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new ValidationError(
      `Invalid ISO8601 timestamp value \`${value}\` for parameter \`${parameter}\`. Try using a valid ISO8601 timestamp (for example \`2025-02-26T00:00:00Z\`).`,
      { parameter },
    );
  }
  return new Date(ms).toISOString();
}

export function timeRange(
  since: string | undefined,
  until: string | undefined,
): { since?: string; until?: string } {
  const s = since === undefined ? undefined : timestamp(since, 'since');
  const u = until === undefined ? undefined : timestamp(until, 'until');
  if (s && u) {
    if (s > u) throw new ValidationError('`since` must be before `until`', { parameter: 'since' });
    if (s === u)
      throw new ValidationError('`since` and `until` cannot be the exact same timestamp.', {
        parameter: 'until',
      });
    if (Date.parse(u) - Date.parse(s) > MAX_RANGE_MS) {
      throw new ValidationError('The maximum query range is 6 months. Try narrowing your query range.', {
        parameter: 'until',
      });
    }
  }
  return { ...(s && { since: s }), ...(u && { until: u }) };
}
