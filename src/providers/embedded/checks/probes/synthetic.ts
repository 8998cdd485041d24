/**
 * `synthetic` checks (and multistep checks written as a script, as Pingera's are): a Playwright
 * script run in Chromium by the synthetic browser (../synthetic/browser.ts), under the check's
 * timeout. The result says which step failed and why, the page's console errors, what the target
 * guard refused, and, when asked, carries a small screenshot of the failure.
 */
import type { CheckTarget, ProbeResult } from '../../../../core/checks.js';
import type { ProbeEnv } from './context.js';

export async function probe(t: CheckTarget, env: ProbeEnv): Promise<ProbeResult> {
  const p = t.parameters as { pw_script: string; screenshot_on_failure?: boolean };
  if (!env.browser) throw new Error('Synthetic checks are not available on this server.');
  const start = performance.now();
  const outcome = await env.browser.run({
    script: p.pw_script,
    variables: t.variables ?? {},
    baseURL: t.url ?? undefined,
    deadline: env.deadline,
    blockPrivate: env.blockPrivate,
    screenshot: p.screenshot_on_failure ?? false,
  });
  const response_time = Math.round(performance.now() - start);
  const refused = outcome.refused.length
    ? `; the target guard refused ${outcome.refused[0]?.reason}${outcome.refused.length > 1 ? ` (and ${outcome.refused.length - 1} more)` : ''}`
    : '';
  const refused_requests = outcome.refused.length ? { refused_requests: outcome.refused } : {};
  if (outcome.kind === 'timeout') {
    return {
      status: 'timeout',
      response_time,
      error_message: `Timed out after ${t.timeout} s${outcome.step ? ` in step '${outcome.step}'` : ''}${refused}`,
      check_metadata: { ...(outcome.step && { step: outcome.step }), ...refused_requests },
    };
  }
  if (outcome.kind === 'crashed') {
    return {
      status: 'failed',
      response_time,
      error_message: outcome.message + refused,
      check_metadata: refused_requests,
    };
  }
  const r = outcome.report;
  const metadata = {
    steps: r.steps,
    ...(r.console_errors.length && { console_errors: r.console_errors }),
    ...(r.logs.length && { logs: r.logs }),
    ...refused_requests,
    ...(r.step && { failed_step: r.step }),
    ...(r.line && { failed_line: r.line }),
    ...(r.screenshot && { screenshot: { type: 'image/jpeg', base64: r.screenshot } }),
  };
  if (r.passed && !refused)
    return { status: 'ok', response_time, error_message: null, check_metadata: metadata };
  const where = r.step ? `Step '${r.step}'` : r.line ? `Line ${r.line}` : '';
  const what = r.passed ? 'the script passed' : r.error;
  return {
    status: 'failed',
    response_time,
    error_message: `${where}${where ? ': ' : ''}${what}${refused}`,
    check_metadata: metadata,
  };
}
