/**
 * A PagerDuty REST API v2 client: versioned Accept header, `Token token=` or `Bearer` by kind of
 * credential, `From` on writes, `name[]` array parameters, offset pagination up to PagerDuty's
 * 10,000 cap, a timeout per attempt, 429 honoured with `ratelimit-reset` and a bounded number of
 * retries, 5xx retried for reads only. Every failure becomes a VigilError with PagerDuty's own
 * message and code kept in `details`.
 *
 * A client holds one credential and nothing that changes, so concurrent requests with different
 * credentials never share state.
 */
import { VigilError } from '../../core/errors.js';
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

/** How a credential is sent: REST API keys as `Token token=`, OAuth tokens as `Bearer`. */
export interface Credential {
  kind: 'token' | 'bearer';
  value: string;
}

/** A token as a user gives it: scoped OAuth user tokens (`pdus+_…`) go as Bearer, keys as Token. */
export function credentialOf(token: string): Credential {
  const value = token.trim();
  return { kind: value.startsWith('pdus+_') ? 'bearer' : 'token', value };
}

export interface ClientOptions {
  /** API host, e.g. https://api.pagerduty.com or https://api.eu.pagerduty.com. */
  host: string;
  log: Logger;
  userAgent: string;
  /** Time allowed to one attempt, headers and body. */
  timeoutMs?: number;
  /** Retries after a 429 (any method: PagerDuty did not act) or a 5xx or network error (reads). */
  maxRetries?: number;
  /** A 429 asking to wait longer than this is answered RATE_LIMITED at once. */
  maxRetryWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** PagerDuty refuses `offset + limit` beyond this. */
export const OFFSET_CAP = 10_000;
/** PagerDuty's largest page. */
export const PAGE_SIZE = 100;

export interface ListPage<T> {
  items: T[];
  more: boolean;
  /** True when more exist but PagerDuty's 10,000 offset cap stops the listing. */
  capped: boolean;
}

interface PagerDutyErrorBody {
  error?: { code?: number; message?: string; errors?: string[] };
}

export class PagerDutyClient {
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly maxRetryWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly opts: ClientOptions,
    private readonly credential: () => Promise<Credential>,
  ) {
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.maxRetries = opts.maxRetries ?? 3;
    this.maxRetryWaitMs = opts.maxRetryWaitMs ?? 30_000;
    this.sleep = opts.sleep ?? sleeper;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, query);
  }

  /** A GET that answers undefined for a 404. */
  find<T>(path: string, query?: Query): Promise<T | undefined> {
    return unlessNotFound(this.get<T>(path, query));
  }

  send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body: unknown, from?: string): Promise<T> {
    return this.request<T>(method, path, undefined, body, from);
  }

  /**
   * `limit` items from `offset` of a classic offset-paginated collection, fetched in pages of up
   * to 100. Stops at PagerDuty's 10,000 cap and says so with `capped`.
   */
  async list<T>(path: string, collection: string, query: Query, limit: number, offset: number) {
    if (offset >= OFFSET_CAP) {
      throw new VigilError(
        'VALIDATION_ERROR',
        `PagerDuty lists stop at ${OFFSET_CAP.toLocaleString('en-US')} results; this page starts at ${offset}. Narrow the query (a shorter since/until window, or more filters) instead of paging further.`,
        { parameter: 'cursor', provider: 'pagerduty' },
      );
    }
    const items: T[] = [];
    let at = offset;
    let more = true;
    while (items.length < limit && more) {
      const size = Math.min(PAGE_SIZE, limit - items.length, OFFSET_CAP - at);
      if (size <= 0) break;
      const body = await this.get<Record<string, unknown>>(path, { ...query, limit: size, offset: at });
      const page = (body[collection] as T[] | undefined) ?? [];
      items.push(...page.slice(0, limit - items.length));
      more = body.more === true;
      at += page.length;
      if (page.length === 0) more = false;
    }
    const capped = more && at >= OFFSET_CAP;
    return { items, more: more && !capped, capped } satisfies ListPage<T>;
  }

  /** Every item of a collection (for the user context), up to the offset cap. */
  async all<T>(path: string, collection: string, query: Query): Promise<T[]> {
    return (await this.list<T>(path, collection, query, OFFSET_CAP, 0)).items;
  }

  private async request<T>(
    method: string,
    path: string,
    query?: Query,
    body?: unknown,
    from?: string,
  ): Promise<T> {
    const credential = await this.credential();
    const read = method === 'GET';
    const res = await requestJson({
      provider: 'PagerDuty',
      method,
      path,
      url: `${this.opts.host.replace(/\/+$/, '')}${path}${searchOf(query, '[]')}`,
      headers: {
        accept: 'application/vnd.pagerduty+json;version=2',
        authorization:
          credential.kind === 'bearer' ? `Bearer ${credential.value}` : `Token token=${credential.value}`,
        'user-agent': this.opts.userAgent,
        // The description marks Content-Type required on every operation; PagerDuty's SDK always sends it.
        'content-type': 'application/json',
        ...(from && { from }),
      },
      body,
      timeoutMs: this.timeoutMs,
      maxRetries: this.maxRetries,
      sleep: this.sleep,
      retryAfter: (answer, attempt) => {
        // A 429 means PagerDuty did nothing, so any method may try again, when the wait is short.
        if ('status' in answer && answer.status === 429) {
          const wait = resetAfterMs(answer.headers) ?? 1000;
          if (wait > this.maxRetryWaitMs) return undefined;
          this.opts.log.debug({ path, wait, attempt }, 'PagerDuty rate limit; waiting');
          return wait;
        }
        const failed = 'error' in answer || answer.status >= 500;
        return failed && read ? backoff(attempt) : undefined;
      },
    });
    if (res.status >= 200 && res.status < 300) return (res.status === 204 ? undefined : res.body) as T;
    throw errorOf(res.status, res.headers, res.body as PagerDutyErrorBody, method, path);
  }
}

function errorOf(
  status: number,
  headers: Headers,
  body: PagerDutyErrorBody,
  method: string,
  path: string,
): VigilError {
  const upstream = body.error ?? {};
  return upstreamError({
    provider: 'PagerDuty',
    status,
    headers,
    method,
    path,
    said: [upstream.message, ...(upstream.errors ?? [])].filter(Boolean).join(': '),
    details: { provider: 'pagerduty', status, ...(body.error && { pagerduty: body.error }) },
    credentialHint: 'Check PAGERDUTY_API_TOKEN or the X-PagerDuty-Token header.',
    forbiddenWhy: `or token (${status})`,
  });
}
