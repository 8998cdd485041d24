/**
 * A Pingera API v1 client: the key as the raw `Authorization` value or a JWT as `Bearer`, the
 * PINGERA_TIMEOUT per attempt, PINGERA_MAX_RETRIES for idempotent requests only (429 honouring
 * `Retry-After`, 5xx, network errors), the API's two pagination styles (`page` + `page_size`,
 * `page` + `per_page`) turned into `limit`/`offset`, and errors mapped to Vigil's codes with
 * Pingera's body kept in `details`.
 *
 * A client holds one credential and nothing that changes: each HTTP request gets its own.
 */
import type { VigilError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import {
  backoff,
  type Query,
  requestJson,
  resetAfterMs,
  searchOf,
  sleeper,
  unlessNotFound,
  upstreamError,
} from '../shared/rest.js';

export interface PingeraCredential {
  kind: 'api_key' | 'jwt';
  value: string;
}

/** An `Authorization` value as a client sends it: `Bearer <jwt>` or the raw key. */
export function credentialOf(header: string): PingeraCredential {
  const value = header.trim();
  const bearer = /^Bearer\s+(.+)$/i.exec(value);
  return bearer?.[1] ? { kind: 'jwt', value: bearer[1].trim() } : { kind: 'api_key', value };
}

export interface PingeraClientOptions {
  /** PINGERA_BASE_URL, e.g. https://api.pingera.ru/v1 (the `/v1` is part of every path here). */
  baseUrl: string;
  timeoutMs: number;
  maxRetries: number;
  log: Logger;
  userAgent: string;
  sleep?: (ms: number) => Promise<void>;
}

/** How a list endpoint pages: most use `page_size`; heartbeats, alerts and jobs use `per_page`. */
export type PageStyle = 'page_size' | 'per_page';

/** Pingera's largest page. */
export const MAX_PAGE = 100;

export interface Listing<T> {
  items: T[];
  more: boolean;
}

/** RFC 9110's idempotent methods: the only ones sent twice. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

type Body = Record<string, unknown>;

export class PingeraClient {
  private readonly root: string;

  constructor(
    private readonly opts: PingeraClientOptions,
    private readonly credential: () => Promise<PingeraCredential>,
  ) {
    this.root = opts.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, query);
  }

  /** A GET that answers undefined for a 404. */
  find<T>(path: string, query?: Query): Promise<T | undefined> {
    return unlessNotFound(this.get<T>(path, query));
  }

  send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return this.request<T>(method, path, undefined, body);
  }

  /**
   * `limit` items from `offset` of a paginated collection (`{<collection>: [...], pagination}`),
   * read page by page. Also takes the unpaginated answers some endpoints give: a bare array, or
   * the collection without `pagination`.
   */
  async list<T>(
    path: string,
    collection: string,
    query: Query,
    style: PageStyle,
    limit: number,
    offset: number,
  ): Promise<Listing<T>> {
    const size = Math.min(MAX_PAGE, Math.max(limit, 1));
    let page = Math.floor(offset / size) + 1;
    let skip = offset % size;
    const items: T[] = [];
    for (;;) {
      const body = await this.get<unknown>(path, { ...query, page, [style]: size });
      const { rows, paginated, hasNext } = rowsOf<T>(body, collection, size);
      if (!paginated) {
        // The whole collection in one answer: page it here.
        const all = rows.slice(offset, offset + limit);
        return { items: all, more: rows.length > offset + limit };
      }
      const taken = rows.slice(skip, skip + limit - items.length);
      items.push(...taken);
      const rest = rows.length - skip - taken.length;
      skip = 0;
      if (items.length >= limit) return { items, more: hasNext || rest > 0 };
      if (!hasNext || rows.length === 0) return { items, more: false };
      page++;
    }
  }

  private async request<T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> {
    const credential = await this.credential();
    let retried = false;
    const res = await requestJson({
      provider: 'Pingera',
      method,
      path,
      url: `${this.root}${path}${searchOf(query, '')}`,
      headers: {
        accept: 'application/json',
        authorization: credential.kind === 'jwt' ? `Bearer ${credential.value}` : credential.value,
        'user-agent': this.opts.userAgent,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body,
      timeoutMs: this.opts.timeoutMs,
      maxRetries: IDEMPOTENT.has(method) ? this.opts.maxRetries : 0,
      sleep: this.opts.sleep ?? sleeper,
      retryAfter: (answer, attempt) => {
        const wait =
          'error' in answer
            ? backoff(attempt)
            : answer.status === 429
              ? Math.min(resetAfterMs(answer.headers) ?? backoff(attempt), 30_000)
              : answer.status >= 500
                ? backoff(attempt)
                : undefined;
        if (wait !== undefined) {
          retried = true;
          this.opts.log.debug({ method, path, wait, attempt }, 'Pingera request retried');
        }
        return wait;
      },
    });
    if (res.status >= 200 && res.status < 300) return (res.status === 204 ? undefined : res.body) as T;
    // A DELETE retried after a failed answer may have worked the first time: gone is done.
    if (method === 'DELETE' && retried && res.status === 404) return undefined as T;
    throw errorOf(res.status, res.headers, res.body as Body, method, path);
  }
}

/** The rows of a list answer and whether Pingera paged it. */
function rowsOf<T>(body: unknown, collection: string, size: number) {
  if (Array.isArray(body)) return { rows: body as T[], paginated: false, hasNext: false };
  const b = (body ?? {}) as Body;
  const rows = (Array.isArray(b[collection]) ? b[collection] : Array.isArray(b.data) ? b.data : []) as T[];
  const p = b.pagination as Body | undefined;
  if (!p) return { rows, paginated: false, hasNext: false };
  const page = Number(p.page ?? 1);
  const pages = Number(p.total_pages ?? Number.NaN);
  const hasNext =
    typeof p.has_next === 'boolean'
      ? p.has_next
      : Number.isFinite(pages)
        ? page < pages
        : rows.length >= size;
  return { rows, paginated: true, hasNext };
}

/** `errors` as `field: message` lines, however deeply Pingera nests them (`{json: {name: [...]}}`). */
function fieldErrors(errors: unknown, at: string[] = []): string[] {
  const where = at.join('.') || 'error';
  if (Array.isArray(errors)) return [`${where}: ${errors.map(String).join(', ')}`];
  if (errors && typeof errors === 'object') {
    // Marshmallow keys errors by where the field was read first: `json`, `query`.
    return Object.entries(errors).flatMap(([k, v]) =>
      fieldErrors(v, at.length === 0 && ['json', 'query', 'headers'].includes(k) ? at : [...at, k]),
    );
  }
  return errors === undefined || errors === null ? [] : [`${where}: ${String(errors)}`];
}

function said(body: Body): string {
  const parts: string[] = [];
  for (const key of ['message', 'error', 'detail']) if (typeof body[key] === 'string') parts.push(body[key]);
  parts.push(...fieldErrors(body.errors));
  return [...new Set(parts)].join('; ');
}

function errorOf(status: number, headers: Headers, body: Body, method: string, path: string): VigilError {
  return upstreamError({
    provider: 'Pingera',
    status,
    headers,
    method,
    path,
    said: said(body),
    details: { provider: 'pingera', status, pingera: body },
    credentialHint: 'Check PINGERA_API_KEY / PINGERA_JWT_TOKEN or the Authorization header.',
    forbiddenWhy: `(${status}; a plan limit or a missing permission)`,
  });
}
