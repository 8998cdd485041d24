/**
 * HTTP assertions: expected status codes, text or a regular expression in the body, JSONPath
 * values, and a latency limit (over it the check is degraded, not failed).
 */
import { lazy } from '../../../core/lazy.js';

const jsonPathLib = lazy<typeof import('jsonpath-plus')>('jsonpath-plus');

import type { z } from 'zod';
import type { httpAssertions } from '../../../core/check-kinds/shared.js';
import type { HttpOutcome } from './http-request.js';

export type Assertions = z.output<typeof httpAssertions>;

export interface AssertionResult {
  type: string;
  passed: boolean;
  expected: unknown;
  actual: unknown;
}

/** Evaluates every assertion (a 2xx or 3xx status when none is given). */
export function evaluate(a: Assertions, searchText: string | undefined, r: HttpOutcome): AssertionResult[] {
  const out: AssertionResult[] = [];
  const codes = a.status_codes;
  out.push({
    type: 'status_code',
    passed: codes ? codes.includes(r.status_code) : r.status_code >= 200 && r.status_code < 400,
    expected: codes ?? '2xx or 3xx',
    actual: r.status_code,
  });
  for (const text of [searchText, a.body_contains]) {
    if (text !== undefined)
      out.push({ type: 'body_contains', passed: r.body.includes(text), expected: text, actual: null });
  }
  if (a.body_regex !== undefined) {
    out.push({
      type: 'body_regex',
      passed: new RegExp(a.body_regex).test(r.body),
      expected: a.body_regex,
      actual: null,
    });
  }
  if (a.json_path?.length) {
    let json: unknown;
    let parsed = true;
    try {
      json = JSON.parse(r.body);
    } catch {
      parsed = false;
    }
    for (const jp of a.json_path) {
      if (!parsed) {
        out.push({ type: 'json_path', passed: false, expected: jp.path, actual: 'the body is not JSON' });
        continue;
      }
      const found = jsonPathLib().JSONPath({
        path: jp.path,
        json: json as object,
        eval: 'safe',
        wrap: true,
      }) as unknown[];
      const actual = found.length === 1 ? found[0] : found.length ? found : undefined;
      const passed =
        jp.equals !== undefined
          ? JSON.stringify(actual) === JSON.stringify(jp.equals)
          : (jp.exists ?? true) === found.length > 0;
      out.push({
        type: 'json_path',
        passed,
        expected: {
          path: jp.path,
          ...(jp.equals !== undefined ? { equals: jp.equals } : { exists: jp.exists ?? true }),
        },
        actual: actual ?? null,
      });
    }
  }
  if (a.max_response_time_ms !== undefined) {
    out.push({
      type: 'max_response_time_ms',
      passed: r.timings.total <= a.max_response_time_ms,
      expected: a.max_response_time_ms,
      actual: r.timings.total,
    });
  }
  return out;
}

/** The message of the first failed assertion. */
export function describeFailure(r: AssertionResult): string {
  switch (r.type) {
    case 'status_code':
      return `Status ${String(r.actual)}, expected ${Array.isArray(r.expected) ? r.expected.join(' or ') : String(r.expected)}`;
    case 'body_contains':
      return `The body does not contain '${String(r.expected)}'`;
    case 'body_regex':
      return `The body does not match /${String(r.expected)}/`;
    case 'json_path':
      return `JSONPath ${JSON.stringify(r.expected)} did not hold (found ${JSON.stringify(r.actual)})`;
    default:
      return `Response took ${String(r.actual)} ms, over the ${String(r.expected)} ms limit`;
  }
}
