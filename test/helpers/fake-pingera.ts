/**
 * A stateful fake of Pingera's API v1 on loopback, for the Pingera provider's tests. Several accounts
 * (organisations), each seen only through its own credentials; every request recorded and checked
 * against the reconstructed OpenAPI contract (openapi-contract.ts with PINGERA_SPEC), and every 2xx
 * JSON answer checked against the response schema, so a test that asserts `fake.violations()` is
 * empty proves both sides speak Pingera as far as the spec knows it. Faults (429 with Retry-After,
 * 500, a hang, truncated JSON, 401, 403 plan limit) can be injected per route.
 *
 *   const fake = await startFakePingera();
 *   fake.addAccount(['key-a', 'Bearer jwt-a'], { checks: [{ id: 'ck0000000001', name: 'Site', type: 'web', url: 'https://example.com' }] });
 *   // … PINGERA_BASE_URL=fake.url (it ends in /v1) …
 *   expect(fake.violations()).toEqual([]);
 *   await fake.close();
 *
 * The endpoints live in fake-pingera-pages.ts (pages, components), -incidents.ts, -checks.ts (checks,
 * check groups), -results.ts (results, metrics, on-demand jobs), -heartbeats.ts, -alerts.ts and
 * -secrets.ts, each with the assumptions it makes; the seed format is in fake-pingera-model.ts, the
 * account state in fake-pingera-state.ts, shared helpers and the error shape in fake-pingera-kit.ts.
 * Choices made here:
 * - A credential is the whole `Authorization` value: a raw API key (`key-a`) or `Bearer <jwt>`
 *   (`Bearer jwt-a`; the scheme's case and spacing do not matter). A key sent as `Bearer key-a` is not
 *   the key. An unknown or missing credential on a secured operation is a 401.
 * - Routing comes first, as Flask's does: a path the spec lacks is a 404, a method it lacks for a
 *   known path a 405 with `Allow` (GET or DELETE of an incident update, PUT of a check), both before
 *   authentication; both are recorded as contract violations.
 * - Undeclared query parameters are ignored (webargs excludes unknown query fields) but recorded; bad
 *   values of declared ones and bodies that break the request schema are answered 422 with the
 *   violations keyed by field under `query` or `json`; a body that is not JSON is a 400; a JSON body
 *   without `Content-Type: application/json` is a 422 (webargs does not read it).
 * - Operations the spec has but the fake does not implement (postmortems, log-past-incident, bulk
 *   component uptime, heartbeat channels and ping counts, execution groups, the public lookups and
 *   templates) answer 404 and record a violation.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FaultMatch, FaultQueue, listenFake, parseJson, readBody } from './fake-http.js';
import { ALERT_ROUTES } from './fake-pingera-alerts.js';
import { CHECK_ROUTES } from './fake-pingera-checks.js';
import { HEARTBEAT_ROUTES } from './fake-pingera-heartbeats.js';
import { INCIDENT_ROUTES } from './fake-pingera-incidents.js';
import {
  errorBody,
  type FieldErrors,
  type JobSettings,
  PingeraHttpError,
  type Reply,
  VALIDATION_MESSAGE,
} from './fake-pingera-kit.js';
import type { PingeraSeed } from './fake-pingera-model.js';
import { PAGE_ROUTES } from './fake-pingera-pages.js';
import { RESULT_ROUTES } from './fake-pingera-results.js';
import { SECRET_ROUTES } from './fake-pingera-secrets.js';
import { IdSource, PingeraAccount } from './fake-pingera-state.js';
import { contractChecker, PINGERA_SPEC, type RecordedRequest, type Violation } from './openapi-contract.js';

export type {
  PingeraSeed,
  SeedAlert,
  SeedAlertChannel,
  SeedAlertRule,
  SeedCheck,
  SeedCheckGroup,
  SeedComponent,
  SeedHeartbeat,
  SeedIncident,
  SeedIncidentUpdate,
  SeedPage,
  SeedPing,
  SeedResult,
  SeedSecret,
} from './fake-pingera-model.js';
export { PingeraAccount } from './fake-pingera-state.js';

export type FaultKind = '429' | '500' | 'hang' | 'malformed' | '401' | '403';

/** A fault for the requests FaultMatch names (method, path or template, times). */
export interface Fault extends FaultMatch {
  kind: FaultKind;
  /** `Retry-After` of a 429, in seconds; 1 when absent. */
  retryAfterSeconds?: number;
  /** The `message` of a 403 (default: a plan-limit message) or 401. */
  message?: string;
}

export interface FakeRequest extends RecordedRequest {
  /** The `Authorization` value the request carried, normalised (`Bearer <jwt>` or the raw key). */
  credential: string | undefined;
  /** The spec template the path and method matched, if any. */
  template: string | undefined;
  /** The status answered; undefined while hanging. */
  status: number | undefined;
  /** Contract violations of the request and of the fake's answer (prefixed `response:`). */
  violations: string[];
}

export interface FakePingeraOptions {
  specPath?: string;
  /** The fake's clock, for timestamps, heartbeat states, time windows and job ages. */
  now?: () => Date;
  /** Check every 2xx JSON answer against the spec's response schema (default true). */
  checkResponses?: boolean;
  /** GET /v1/pages answers the bare array of pages the older API gave, not `{pages, pagination}`. */
  pagesAsArray?: boolean;
  /**
   * How on-demand jobs progress: a job completes at its `polls`-th GET (default 3: pending, running,
   * completed) or `ms` after it was queued by the fake's clock (pending for the first half), whichever
   * comes first; give `ms` alone for time only. `fail` returns an error message to make a job fail.
   */
  jobs?: {
    polls?: number;
    ms?: number;
    fail?: (job: {
      check_id: string | null;
      check_parameters: Record<string, unknown>;
    }) => string | undefined;
  };
}

export interface FakePingera {
  /** `http://127.0.0.1:PORT/v1`, the value for PINGERA_BASE_URL. */
  url: string;
  requests: FakeRequest[];
  /**
   * Adds an account reachable with the given credential(s), each a whole `Authorization` value
   * (`'key-a'`, `'Bearer jwt-a'`); returns its state for assertions and for adding results or pings.
   */
  addAccount(credentials: string | string[], seed?: PingeraSeed): PingeraAccount;
  /** Every contract violation so far (each names its operation), in request order. */
  violations(): string[];
  /** Throws, listing them, when there is any violation; for tests that do not use `expect`. */
  assertNoViolations(): void;
  fail(fault: Fault): void;
  /** Forgets faults not yet used up. */
  clearFaults(): void;
  /** Ends hanging requests and open connections, then stops listening. */
  close(): Promise<void>;
}

const ROUTES = {
  ...PAGE_ROUTES,
  ...INCIDENT_ROUTES,
  ...CHECK_ROUTES,
  ...RESULT_ROUTES,
  ...HEARTBEAT_ROUTES,
  ...ALERT_ROUTES,
  ...SECRET_ROUTES,
};
const PLAN_LIMIT =
  'Plan limit reached: your current plan does not allow this. Upgrade your plan to continue.';

/** The `Authorization` value as the fake keys accounts: `Bearer <token>`, or the raw value. */
function normalise(value: string | undefined): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  const bearer = /^bearer\s+(\S+)$/i.exec(v);
  return bearer ? `Bearer ${bearer[1]}` : v;
}

/** Refused violations as webargs keys them: `{json: {field: [...]}, query: {…}, headers: {…}}`. */
function fieldErrors(refused: Violation[]): FieldErrors {
  const out: FieldErrors = {};
  for (const v of refused) {
    const location = v.kind === 'body' ? 'json' : v.kind === 'header' ? 'headers' : 'query';
    const field = v.field ?? '_schema';
    const byField = out[location] ?? {};
    byField[field] = [...(byField[field] ?? []), v.message];
    out[location] = byField;
  }
  return out;
}

export async function startFakePingera(options: FakePingeraOptions = {}): Promise<FakePingera> {
  const checker = contractChecker(options.specPath ?? PINGERA_SPEC);
  const clock = () => (options.now ? options.now() : new Date()).getTime();
  const checkResponses = options.checkResponses ?? true;
  const jobs: JobSettings = {
    polls: options.jobs?.polls ?? (options.jobs?.ms === undefined ? 3 : undefined),
    ms: options.jobs?.ms,
    fail: options.jobs?.fail,
  };
  const ids = new IdSource();
  const accounts = new Map<string, PingeraAccount>();
  const requests: FakeRequest[] = [];
  const faults = new FaultQueue<Fault>();
  let baseUrl = '';
  let nobody: PingeraAccount | undefined;

  const send = (
    rec: FakeRequest,
    res: ServerResponse,
    reply: Reply,
    headers: Record<string, string> = {},
  ) => {
    rec.status = reply.status;
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    if (checkResponses && reply.status >= 200 && reply.status < 300 && reply.body !== undefined) {
      for (const v of checker.checkResponse(rec.method, rec.path, reply.status, reply.body)) {
        rec.violations.push(`response: ${v}`);
      }
    }
    res.writeHead(reply.status, { ...(text ? { 'content-type': 'application/json' } : {}), ...headers });
    res.end(text);
  };
  const error = (
    rec: FakeRequest,
    res: ServerResponse,
    status: number,
    message: string,
    errors?: FieldErrors,
  ) => send(rec, res, { status, body: errorBody(status, message, errors) });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const { body, unparsable } = parseJson(await readBody(req));
    const method = (req.method ?? 'GET').toUpperCase();
    const hit = checker.match(method, url.pathname);
    const rec: FakeRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      credential: normalise(req.headers.authorization),
      template: hit?.template,
      status: undefined,
      violations: [],
    };
    requests.push(rec);
    let found = checker.violations(rec);
    if (unparsable) {
      // The checker saw no body; say what was wrong with the one sent instead.
      found = found.filter((v) => !v.message.endsWith('required request body missing'));
      found.push({ kind: 'body', message: `${method} ${url.pathname}: request body is not JSON` });
    }
    rec.violations.push(...found.map((v) => v.message));

    const f = faults.take(rec);
    if (f) {
      switch (f.kind) {
        case 'hang':
          server.hang(res);
          return;
        case 'malformed':
          rec.status = 200;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"checks":[{"id":"ck0000000001","name":"Homepage","type":"web","url":"https://exa');
          return;
        case '401':
          return error(rec, res, 401, f.message ?? 'Invalid or expired credentials');
        case '403':
          return error(rec, res, 403, f.message ?? PLAN_LIMIT);
        case '500':
          return error(rec, res, 500, 'An internal error occurred. Please try again later.');
        case '429':
          rec.status = 429;
          return send(
            rec,
            res,
            { status: 429, body: errorBody(429, 'Rate limit exceeded. Try again later.') },
            { 'retry-after': String(f.retryAfterSeconds ?? 1) },
          );
      }
    }

    if (!hit) {
      const allowed = checker.methods(url.pathname);
      if (allowed.length > 0) {
        rec.status = 405;
        return send(
          rec,
          res,
          { status: 405, body: errorBody(405, 'The method is not allowed for the requested URL.') },
          { allow: allowed.join(', ') },
        );
      }
      return error(rec, res, 404, 'The requested URL was not found on the server.');
    }

    const account = rec.credential === undefined ? undefined : accounts.get(rec.credential);
    if (hit.secured && !account) {
      return error(
        rec,
        res,
        401,
        rec.credential ? 'Invalid or expired credentials' : 'Authentication required',
      );
    }
    const handler = ROUTES[`${method} ${hit.template}`];
    if (!handler) {
      const message = `The fake does not implement ${method} ${hit.template}`;
      rec.violations.push(`fake: ${message}`);
      return error(rec, res, 404, message);
    }
    if (unparsable)
      return error(rec, res, 400, 'Failed to decode JSON object: the request body is not JSON.');
    const refused = found.filter(
      (v) =>
        v.kind === 'query-value' || v.kind === 'body' || (v.kind === 'header' && v.field === 'Content-Type'),
    );
    if (refused.length > 0) return error(rec, res, 422, VALIDATION_MESSAGE, fieldErrors(refused));

    nobody ??= new PingeraAccount({ organization_id: 'or0000000000', user_id: 'us0000000000' }, ids, clock);
    try {
      const reply = handler({
        account: account ?? nobody,
        accounts: [...new Set(accounts.values())],
        params: hit.pathParams,
        query: url.searchParams,
        body,
        headers: req.headers,
        now: clock(),
        baseUrl,
        pagesAsArray: options.pagesAsArray === true,
        jobs,
      });
      return send(rec, res, reply);
    } catch (err) {
      if (err instanceof PingeraHttpError) return error(rec, res, err.status, err.message, err.errors);
      rec.violations.push(`fake: ${method} ${url.pathname} threw ${String(err)}`);
      return error(rec, res, 500, 'An internal error occurred. Please try again later.');
    }
  };

  const server = await listenFake(handle);
  const { port } = server;
  baseUrl = `http://127.0.0.1:${port}/v1`;

  return {
    url: baseUrl,
    requests,
    addAccount(credentials, seed = {}) {
      const account = new PingeraAccount(seed, ids, clock);
      for (const c of Array.isArray(credentials) ? credentials : [credentials]) {
        const key = normalise(c);
        if (!key) throw new Error('fake Pingera: an empty credential');
        accounts.set(key, account);
      }
      return account;
    },
    violations: () => requests.flatMap((r) => r.violations),
    assertNoViolations() {
      const all = requests.flatMap((r) => r.violations);
      if (all.length > 0) throw new Error(`Pingera contract violations:\n- ${all.join('\n- ')}`);
    },
    fail: (f) => faults.add(f),
    clearFaults: () => faults.clear(),
    close: () => server.close(),
  };
}
