/**
 * `web` and `api` checks: one request (redirects followed unless turned off), its timing
 * breakdown and certificate, and the assertions on status, body, JSON and latency.
 */

import { web } from '../../../../core/check-kinds/web.js';
import type { CheckTarget, ProbeResult } from '../../../../core/checks.js';
import { describeFailure, evaluate } from '../assertions.js';
import { timedRequest } from '../http-request.js';
import { type ProbeEnv, substitute } from './context.js';

export async function probe(t: CheckTarget, env: ProbeEnv): Promise<ProbeResult> {
  const p = web.parameters.parse(t.parameters);
  const req = p.http_request;
  const headers = Object.fromEntries(
    Object.entries(req?.headers ?? {}).map(([k, v]) => [k, substitute(v, t.variables)]),
  );
  const r = await timedRequest(
    {
      method: req?.method ?? 'GET',
      url: substitute(t.url ?? '', t.variables),
      headers,
      body: req?.body === undefined ? undefined : substitute(req.body, t.variables),
    },
    {
      deadline: env.deadline,
      followRedirects: p.follow_redirects ?? true,
      verifyTls: p.verify_tls ?? true,
      blockPrivate: env.blockPrivate,
    },
  );
  const assertions = evaluate(p.assertions ?? {}, p.search_text, r);
  const failed = assertions.find((a) => !a.passed && a.type !== 'max_response_time_ms');
  const slow = assertions.find((a) => !a.passed && a.type === 'max_response_time_ms');
  const problem = failed ?? slow;
  return {
    status: failed ? 'failed' : slow ? 'degraded' : 'ok',
    response_time: Math.round(r.timings.total),
    error_message: problem ? describeFailure(problem) : null,
    check_metadata: {
      // The URL as written: with secrets substituted it could carry one.
      url: t.variables && t.url?.includes('{{') ? t.url : r.url,
      status_code: r.status_code,
      ip: r.ip,
      timings: r.timings,
      tls: r.tls,
      // With secrets in the request, a redirect URL could carry one: only where it went is kept.
      redirects: t.variables ? r.redirects.map((u) => `${new URL(u).origin}/…`) : r.redirects,
      body_bytes: r.body_bytes,
      assertions,
    },
  };
}
