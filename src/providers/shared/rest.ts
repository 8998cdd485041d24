/**
 * One JSON request to a SaaS API, as both SaaS providers make them: a timeout per attempt,
 * bounded retries with waits chosen by the provider, and network failures, timeouts and
 * malformed bodies turned into VigilErrors that name the provider.
 */
import { VigilError } from '../../core/errors.js';

export interface RestResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body; `{}` for an empty body or a failure with a body that is not JSON. */
  body: unknown;
}

export interface RestCall {
  /** Who answers, for messages: `PagerDuty`, `Pingera`. */
  provider: string;
  method: string;
  url: string;
  /** Path for messages and details, without the host. */
  path: string;
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  maxRetries: number;
  /** Milliseconds to wait before another attempt, or undefined to answer this one. */
  retryAfter(
    answer: { status: number; headers: Headers } | { error: unknown },
    attempt: number,
  ): number | undefined;
  sleep: (ms: number) => Promise<void>;
}

export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

/**
 * `?a=1&b=2`, or '' for no parameters. Arrays repeat their key, with `arraySuffix` appended:
 * PagerDuty spells them `statuses[]`, Pingera `check_ids`.
 */
export function searchOf(query: Query | undefined, arraySuffix: '' | '[]'): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(`${key}${arraySuffix}`, String(v));
    else params.append(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export const sleeper = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Exponential backoff with jitter: ~0.5 s, 1 s, 2 s… */
export function backoff(attempt: number): number {
  return 500 * 2 ** attempt * (0.75 + Math.random() / 2);
}

/** `ratelimit-reset` or `retry-after` in seconds, as milliseconds; undefined when neither says. */
export function resetAfterMs(headers: Headers): number | undefined {
  for (const name of ['ratelimit-reset', 'retry-after']) {
    const raw = headers.get(name);
    const seconds = Number(raw);
    if (raw !== null && raw.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  }
  return undefined;
}

function isTimeout(err: unknown): boolean {
  const name = (err as { name?: string }).name;
  return name === 'TimeoutError' || name === 'AbortError';
}

export async function requestJson(call: RestCall): Promise<RestResponse> {
  const { provider, method, path } = call;
  const details = { provider: provider.toLowerCase(), method, path };
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    let text: string;
    try {
      res = await fetch(call.url, {
        method,
        headers: call.headers,
        ...(call.body !== undefined && { body: JSON.stringify(call.body) }),
        signal: AbortSignal.timeout(call.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      if (isTimeout(err)) {
        throw new VigilError(
          'UPSTREAM_TIMEOUT',
          `${provider} did not answer ${method} ${path} within ${call.timeoutMs / 1000} s. Try again later.`,
          details,
        );
      }
      const wait = attempt < call.maxRetries ? call.retryAfter({ error: err }, attempt) : undefined;
      if (wait !== undefined) {
        await call.sleep(wait);
        continue;
      }
      throw new VigilError(
        'UPSTREAM_ERROR',
        `${provider} could not be reached: ${(err as Error).message}.`,
        details,
      );
    }
    const wait = attempt < call.maxRetries && !res.ok ? call.retryAfter(res, attempt) : undefined;
    if (wait !== undefined) {
      await call.sleep(wait);
      continue;
    }
    if (!text) return { status: res.status, headers: res.headers, body: {} };
    try {
      return { status: res.status, headers: res.headers, body: JSON.parse(text) };
    } catch {
      if (res.ok) {
        throw new VigilError(
          'UPSTREAM_ERROR',
          `${provider} answered ${method} ${path} with malformed JSON.`,
          {
            ...details,
            status: res.status,
            body: text.slice(0, 200),
          },
        );
      }
      return { status: res.status, headers: res.headers, body: { message: text.slice(0, 500) } };
    }
  }
}

export const isNotFound = (err: unknown): boolean => err instanceof VigilError && err.code === 'NOT_FOUND';

/** A request's answer, or undefined when the API answered 404. */
export async function unlessNotFound<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export interface UpstreamFailure {
  provider: string;
  status: number;
  headers: Headers;
  method: string;
  path: string;
  /** What the API said about it, in one line; '' when nothing. */
  said: string;
  details: Record<string, unknown>;
  /** What to check when the credential is rejected. */
  credentialHint: string;
  /** Why a 402/403 may happen, after "for this account". */
  forbiddenWhy: string;
}

/** A failed answer as the VigilError a tool reports, the API's own words kept. */
export function upstreamError(f: UpstreamFailure): VigilError {
  const { provider, status, method, path, details } = f;
  const suffix = f.said ? ` ${provider} said: ${f.said}.` : '';
  switch (status) {
    case 400:
    case 422:
      return new VigilError('VALIDATION_ERROR', `${provider} refused ${method} ${path}.${suffix}`, details);
    case 401:
      return new VigilError(
        'UNAUTHORIZED',
        `${provider} rejected the credential (401).${suffix} ${f.credentialHint}`,
        details,
      );
    case 402:
    case 403:
      return new VigilError(
        'FORBIDDEN',
        `${provider} does not allow ${method} ${path} for this account ${f.forbiddenWhy}.${suffix}`,
        details,
      );
    case 404:
      return new VigilError('NOT_FOUND', `${provider} has no ${path}.${suffix}`, details);
    case 409:
      return new VigilError(
        'CONFLICT',
        `${provider} refused ${method} ${path} as a conflict.${suffix}`,
        details,
      );
    case 429: {
      const seconds = Math.ceil((resetAfterMs(f.headers) ?? 1000) / 1000);
      return new VigilError(
        'RATE_LIMITED',
        `${provider}'s rate limit is reached; try again in ${seconds} s.`,
        {
          ...details,
          retry_after_seconds: seconds,
        },
      );
    }
    default:
      return new VigilError(
        'UPSTREAM_ERROR',
        `${provider} failed ${method} ${path} with ${status}.${suffix} Try again later.`,
        details,
      );
  }
}
