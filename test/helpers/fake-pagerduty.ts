/**
 * A stateful fake of PagerDuty's REST API v2 on loopback, for the PagerDuty provider's tests. Several
 * accounts, each seen only through its own tokens; every request recorded and checked against the
 * OpenAPI contract (openapi-contract.ts), and every 2xx JSON answer checked against the response
 * schema, so a test that asserts `fake.violations()` is empty proves both sides speak PagerDuty.
 * Faults (429 with rate-limit headers, 500, a hang, truncated JSON, 401) can be injected per route.
 *
 *   const fake = await startFakePagerDuty();
 *   fake.addAccount('tok', { me: 'U1', users: [{ id: 'U1', name: 'Ann', email: 'ann@example.com' }] });
 *   // … point the provider at fake.url …
 *   expect(fake.violations()).toEqual([]);
 *   await fake.close();
 *
 * Choices made where PagerDuty's behaviour is not written down in the spec or the notes:
 * - Error bodies are `{"error":{"message","code","errors":[…]}}`, `errors` always present. Codes:
 *   2001 "Invalid Input Provided" for every 400, 2006 "Authentication failed" for 401, 2100 "Not Found"
 *   for 404, 2020 "Rate Limit Exceeded" for 429, 2000 "Internal Server Error" for 500.
 * - GET /users/me with an account-level key (an account seeded without `me`) is a 400 (the spec
 *   declares 200/400/429 only) whose detail says a user-level token is needed.
 * - Operations whose spec requires `From` answer 400 when it is missing or names no user of the
 *   account. A missing `Accept` header is recorded as a violation but still answered.
 * - Undeclared query parameters are ignored, as PagerDuty ignores them (a violation is recorded);
 *   bad values of declared ones (enums, integers, required ones) and bodies that break the request
 *   schema are answered 400 with the violations as `errors`.
 * - Operations the spec has but the fake does not implement answer 404 and record a violation.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FaultMatch, FaultQueue, listenFake, parseJson, readBody } from './fake-http.js';
import { INCIDENT_ROUTES } from './fake-pagerduty-incidents.js';
import { MAINTENANCE_ROUTES } from './fake-pagerduty-maintenance.js';
import { DIRECTORY_ROUTES, FakeHttpError, type Reply } from './fake-pagerduty-routes.js';
import { RULE_ROUTES } from './fake-pagerduty-rules.js';
import { FakeAccount, type PagerDutySeed } from './fake-pagerduty-state.js';
import { contractChecker, PAGERDUTY_SPEC, type RecordedRequest } from './openapi-contract.js';

export type { PagerDutySeed } from './fake-pagerduty-state.js';
export { FakeAccount } from './fake-pagerduty-state.js';

export type FaultKind = '429' | '500' | 'hang' | 'malformed' | '401';

/** A fault for the requests FaultMatch names (method, path or template, times). */
export interface Fault extends FaultMatch {
  kind: FaultKind;
  /** `ratelimit-reset` of a 429, in seconds; 1 when absent. */
  resetSeconds?: number;
}

export interface FakeRequest extends RecordedRequest {
  /** The token the request carried, if any. */
  token: string | undefined;
  /** The spec template the path matched, if any. */
  template: string | undefined;
  /** The status answered; undefined while hanging. */
  status: number | undefined;
  /** Contract violations of the request and of the fake's answer (prefixed `response:`). */
  violations: string[];
}

export interface FakePagerDutyOptions {
  specPath?: string;
  /** The fake's clock, for time-dependent answers (on-calls, default windows, new timestamps). */
  now?: () => Date;
  /** Check every 2xx JSON answer against the spec's response schema (default true). */
  checkResponses?: boolean;
}

export interface FakePagerDuty {
  /** `http://127.0.0.1:PORT`, the API base URL. */
  url: string;
  requests: FakeRequest[];
  /** Adds an account reachable with the given token(s); returns its state for assertions. */
  addAccount(token: string | string[], seed: PagerDutySeed): FakeAccount;
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

const ROUTES = { ...DIRECTORY_ROUTES, ...INCIDENT_ROUTES, ...MAINTENANCE_ROUTES, ...RULE_ROUTES };
const RATE_LIMIT = 960;

function errorBody(message: string, code: number, errors: string[] = []) {
  return { error: { message, code, errors } };
}

function tokenOf(header: string | undefined): string | undefined {
  const m = /^(?:Token token=|Bearer )(\S+)$/.exec(header?.trim() ?? '');
  return m?.[1];
}

export async function startFakePagerDuty(options: FakePagerDutyOptions = {}): Promise<FakePagerDuty> {
  const checker = contractChecker(options.specPath ?? PAGERDUTY_SPEC);
  const clock = () => (options.now ? options.now() : new Date()).getTime();
  const checkResponses = options.checkResponses ?? true;
  const accounts = new Map<string, FakeAccount>();
  const requests: FakeRequest[] = [];
  const faults = new FaultQueue<Fault>();

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
    res.writeHead(reply.status, {
      ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      ...headers,
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const { body, unparsable } = parseJson(await readBody(req));
    const method = (req.method ?? 'GET').toUpperCase();
    const hit = checker.match(method, url.pathname);
    const authorization = req.headers.authorization;
    const rec: FakeRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      token: tokenOf(authorization),
      template: hit?.template,
      status: undefined,
      violations: [],
    };
    requests.push(rec);
    const found = checker.violations(rec);
    if (unparsable)
      found.push({ kind: 'body', message: `${method} ${url.pathname}: request body is not JSON` });
    rec.violations.push(...found.map((v) => v.message));

    const f = faults.take(rec);
    if (f) {
      switch (f.kind) {
        case 'hang':
          server.hang(res);
          return;
        case 'malformed':
          rec.status = 200;
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
          res.end('{"incidents":[{"id":"PT4KHLK","type":"incident","summary":"[#1234] The server is on f');
          return;
        case '401':
          return send(rec, res, { status: 401, body: errorBody('Authentication failed', 2006) });
        case '500':
          return send(rec, res, { status: 500, body: errorBody('Internal Server Error', 2000) });
        case '429':
          return send(
            rec,
            res,
            { status: 429, body: errorBody('Rate Limit Exceeded', 2020) },
            {
              'ratelimit-limit': String(RATE_LIMIT),
              'ratelimit-remaining': '0',
              'ratelimit-reset': String(f.resetSeconds ?? 1),
            },
          );
      }
    }

    const account = rec.token === undefined ? undefined : accounts.get(rec.token);
    if (!account) return send(rec, res, { status: 401, body: errorBody('Authentication failed', 2006) });
    const handler = hit && ROUTES[`${method} ${hit.template}`];
    if (!hit || !handler) {
      const errors = hit ? [`The fake does not implement ${method} ${hit.template}`] : [];
      if (hit) rec.violations.push(`fake: ${errors[0]}`);
      return send(rec, res, { status: 404, body: errorBody('Not Found', 2100, errors) });
    }
    const refused = found.filter((v) => v.kind === 'query-value' || v.kind === 'body').map((v) => v.message);
    if (refused.length > 0)
      return send(rec, res, { status: 400, body: errorBody('Invalid Input Provided', 2001, refused) });

    let from: ReturnType<FakeAccount['userByEmail']>;
    if (hit.parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === 'from' && p.required)) {
      const email = req.headers.from;
      from = email ? account.userByEmail(String(email)) : undefined;
      if (!from) {
        const detail = email
          ? 'Requester User Not Found'
          : "A valid user's email address is required in the From header";
        return send(rec, res, { status: 400, body: errorBody('Invalid Input Provided', 2001, [detail]) });
      }
    }
    try {
      const reply = handler({
        account,
        params: hit.pathParams,
        query: url.searchParams,
        body,
        from,
        now: clock(),
      });
      return send(rec, res, reply);
    } catch (err) {
      if (err instanceof FakeHttpError) {
        return send(rec, res, { status: err.status, body: errorBody(err.message, err.code, err.errors) });
      }
      rec.violations.push(`fake: ${method} ${url.pathname} threw ${String(err)}`);
      return send(rec, res, { status: 500, body: errorBody('Internal Server Error', 2000) });
    }
  };

  const server = await listenFake(handle);
  const { port } = server;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    addAccount(token, seed) {
      const account = new FakeAccount(seed, clock);
      for (const t of Array.isArray(token) ? token : [token]) accounts.set(t, account);
      return account;
    },
    violations: () => requests.flatMap((r) => r.violations),
    assertNoViolations() {
      const all = requests.flatMap((r) => r.violations);
      if (all.length > 0) throw new Error(`PagerDuty contract violations:\n- ${all.join('\n- ')}`);
    },
    fail: (f) => faults.add(f),
    clearFaults: () => faults.clear(),
    close: () => server.close(),
  };
}
