/**
 * `multistep` checks: HTTP steps in order, each with its assertions, passing values on — a
 * JSONPath into one step's JSON body, or one of its headers, becomes `{{name}}` in the steps
 * after it (beside the check's secrets). The first failing step fails the check. A multistep
 * check written as a Playwright script (`pw_script`, Pingera's form) runs as a synthetic one.
 */
import { lazy } from '../../../../core/lazy.js';

const jsonPathLib = lazy<typeof import('jsonpath-plus')>('jsonpath-plus');

import { multistep } from '../../../../core/check-kinds/multistep.js';
import type { CheckTarget, ProbeResult } from '../../../../core/checks.js';
import { describeFailure, evaluate } from '../assertions.js';
import { timedRequest } from '../http-request.js';
import { type ProbeEnv, substitute } from './context.js';
import { probe as syntheticProbe } from './synthetic.js';

export async function probe(t: CheckTarget, env: ProbeEnv): Promise<ProbeResult> {
  const p = multistep.parameters.parse(t.parameters);
  if (!p.steps) return syntheticProbe(t, env);
  const variables: Record<string, string> = { ...t.variables };
  const steps: Record<string, unknown>[] = [];
  let total = 0;
  let degraded: string | null = null;
  for (const step of p.steps) {
    const sub = (s: string) => substitute(s, variables);
    const r = await timedRequest(
      {
        method: step.request.method,
        url: sub(step.request.url),
        headers: Object.fromEntries(Object.entries(step.request.headers ?? {}).map(([k, v]) => [k, sub(v)])),
        body: step.request.body === undefined ? undefined : sub(step.request.body),
      },
      { deadline: env.deadline, followRedirects: true, verifyTls: true, blockPrivate: env.blockPrivate },
    );
    total += r.timings.total;
    const assertions = evaluate(step.assertions ?? {}, undefined, r);
    const extracted: string[] = [];
    const failures: string[] = [];
    for (const [name, from] of Object.entries(step.extract ?? {})) {
      const value = typeof from === 'string' ? fromJson(r.body, from) : r.headers[from.header.toLowerCase()];
      if (value === undefined) failures.push(`could not extract ${name}`);
      else {
        variables[name] = Array.isArray(value) ? value.join(', ') : String(value);
        extracted.push(name);
      }
    }
    // Extracted values may be secrets: their names are recorded, never their values.
    // The URL as written: filled in, it could carry a secret or an extracted value.
    steps.push({
      name: step.name,
      url: step.request.url,
      status_code: r.status_code,
      timings: r.timings,
      assertions,
      extracted,
    });
    const failed = assertions.find((a) => !a.passed && a.type !== 'max_response_time_ms');
    const message = failed ? describeFailure(failed) : failures[0];
    if (message) {
      return {
        status: 'failed',
        response_time: Math.round(total),
        error_message: `Step '${step.name}': ${message}`,
        check_metadata: { steps },
      };
    }
    const slow = assertions.find((a) => !a.passed);
    if (slow && !degraded) degraded = `Step '${step.name}': ${describeFailure(slow)}`;
  }
  return {
    status: degraded ? 'degraded' : 'ok',
    response_time: Math.round(total),
    error_message: degraded,
    check_metadata: { steps },
  };
}

function fromJson(body: string, path: string): unknown {
  try {
    const found = jsonPathLib().JSONPath({
      path,
      json: JSON.parse(body),
      eval: 'safe',
      wrap: true,
    }) as unknown[];
    return found.length === 1 ? found[0] : found.length ? found : undefined;
  } catch {
    return undefined;
  }
}
