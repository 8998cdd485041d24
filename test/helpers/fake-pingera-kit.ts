/**
 * What the fake Pingera API's route modules (fake-pingera-pages.ts, -incidents.ts, -checks.ts, …) share:
 * the route context and reply types, Pingera's errors, query parsing and its paging.
 *
 * Errors are flask-smorest's `Error{code, status, message, errors}` (Pingera's `Error` schema): `status`
 * is the HTTP reason phrase, `errors` is `{}` unless fields are at fault, and then it is keyed by where
 * the field was read and then by field, as webargs does: `{"json": {"name": ["…"]}}`,
 * `{"query": {"page_size": ["…"]}}`. Invalid input is a 422 (the spec's `422: Error` on writes).
 */
import type { PingeraAccount } from './fake-pingera-state.js';

type Json = Record<string, unknown>;

export const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

export type FieldErrors = Record<string, Record<string, string[]>>;

export function errorBody(code: number, message: string, errors: FieldErrors = {}): Json {
  return { code, status: REASONS[code] ?? 'Error', message, errors };
}

export class PingeraHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: FieldErrors = {},
  ) {
    super(message);
  }
}

export const VALIDATION_MESSAGE =
  'The request was well-formed but was unable to be followed due to semantic errors.';

/** A 422 naming one field of the JSON body (or of the query, with `location`). */
export function invalid(
  field: string,
  message: string,
  location: 'json' | 'query' = 'json',
): PingeraHttpError {
  return new PingeraHttpError(422, VALIDATION_MESSAGE, { [location]: { [field]: [message] } });
}

export function notFound(what: string): PingeraHttpError {
  return new PingeraHttpError(404, `${what} not found`);
}

export function badRequest(message: string): PingeraHttpError {
  return new PingeraHttpError(400, message);
}

/** How jobs started by the execute endpoints progress; see FakePingeraOptions.jobs. */
export interface JobSettings {
  polls: number | undefined;
  ms: number | undefined;
  fail: ((job: { check_id: string | null; check_parameters: Json }) => string | undefined) | undefined;
}

export interface RouteContext {
  /** The account the credential names; on public operations, the first account (unused by them). */
  account: PingeraAccount;
  /** Every account, for the public operations (heartbeat pings, page by domain). */
  accounts: PingeraAccount[];
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  now: number;
  /** The fake's base URL with `/v1`, for `ping_url`. */
  baseUrl: string;
  pagesAsArray: boolean;
  jobs: JobSettings;
}

export interface Reply {
  status: number;
  body?: unknown;
}

export type Handler = (ctx: RouteContext) => Reply;

export const ok = (body: unknown, status = 200): Reply => ({ status, body });
export const created = (body: unknown): Reply => ({ status: 201, body });
export const NO_CONTENT: Reply = { status: 204 };

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** How far back the metrics endpoints look ("limited to 6 months in the past"). */
export const SIX_MONTHS = 183 * DAY;

/** Python's `datetime.isoformat()` of an aware UTC time, as marshmallow dumps it. */
export function iso(ms: number): string;
export function iso(ms: number | null | undefined): string | null;
export function iso(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  const d = new Date(ms);
  const base = d.toISOString().slice(0, 19);
  const millis = d.getUTCMilliseconds();
  return `${base}${millis ? `.${String(millis).padStart(3, '0')}000` : ''}+00:00`;
}

export function int(q: URLSearchParams, name: string, fallback: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw invalid(name, 'Not a valid integer.', 'query');
  return Number(raw);
}

export function date(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw invalid(name, 'Not a valid datetime.', 'query');
  return ms;
}

export function bool(q: URLSearchParams, name: string): boolean {
  const raw = q.get(name);
  return raw !== null && ['true', '1', 'yes', 'on'].includes(raw.toLowerCase());
}

/** A time window from two query parameters, defaulting to the last 24 hours, at most six months back. */
export function timeWindow(
  q: URLSearchParams,
  from: string,
  to: string,
  now: number,
): { start: number; end: number } {
  const end = date(q, to) ?? now;
  const start = date(q, from) ?? end - DAY;
  if (start < now - SIX_MONTHS)
    throw invalid(from, 'Date range is limited to 6 months in the past.', 'query');
  if (end < start) throw invalid(to, `${to} must not be before ${from}.`, 'query');
  return { start, end };
}

export function pagination(page: number, size: number, total: number): Json {
  const pages = Math.ceil(total / size);
  return {
    page,
    page_size: size,
    total_items: total,
    total_pages: pages,
    has_next: page < pages,
    has_prev: page > 1,
  };
}

/**
 * One page of a list as `{<key>: [...], pagination}`. `style` is the size parameter the endpoint takes;
 * the pagination object spells it `page_size` either way (the `Pagination` schema; the per_page lists
 * type theirs as a free-form object).
 */
export function paginate<T>(
  q: URLSearchParams,
  key: string,
  items: T[],
  render: (item: T) => unknown,
  style: 'page_size' | 'per_page' = 'page_size',
  defaultSize = 20,
): Reply {
  const page = int(q, 'page', 1);
  const size = int(q, style, defaultSize);
  if (page < 1) throw invalid('page', 'Must be greater than or equal to 1.', 'query');
  if (size < 1 || size > 100)
    throw invalid(style, 'Must be greater than or equal to 1 and less than or equal to 100.', 'query');
  const rows = items.slice((page - 1) * size, page * size).map(render);
  return ok({ [key]: rows, pagination: pagination(page, size, items.length) });
}

export function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw notFound(what);
  return value;
}

/** The JSON body as an object (the contract check has already refused anything else). */
export function bodyOf(ctx: RouteContext): Json {
  const b = ctx.body;
  return typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Json) : {};
}

/** Copies the keys of `from` that `keys` lists and `from` has, into a new object. */
export function pick(from: Json, keys: readonly string[]): Json {
  const out: Json = {};
  for (const k of keys) if (k in from) out[k] = from[k];
  return out;
}

/** Newest first; of two made at the same time, the later made first. */
export function newestFirst<T>(
  items: Iterable<T>,
  time: (item: T) => number = (i) => (i as { createdAt: number }).createdAt,
): T[] {
  return [...items].reverse().sort((a, b) => time(b) - time(a));
}
