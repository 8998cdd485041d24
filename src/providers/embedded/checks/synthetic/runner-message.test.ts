/**
 * What Vigil accepts from a script runner: the runner hosts user code, so a report that is not
 * one a runner writes (too many lines, a huge screenshot, the wrong shape) is refused.
 */
import { describe, expect, it } from 'vitest';
import { runnerMessage } from './browser.js';

const report = {
  passed: true,
  steps: [{ name: 'Open', duration_ms: 12, passed: true }],
  console_errors: [],
  logs: [],
};

describe('runner messages', () => {
  it('takes a progress step and a report as a runner writes them', () => {
    expect(runnerMessage.safeParse({ step: 'Login > Submit' }).success).toBe(true);
    expect(runnerMessage.safeParse({ report }).success).toBe(true);
  });

  it('refuses reports no runner writes', () => {
    for (const bad of [
      { report: { ...report, logs: Array.from({ length: 1000 }, () => 'x') } },
      { report: { ...report, screenshot: 'A'.repeat(1_000_000) } },
      { report: { ...report, passed: 'yes' } },
      { step: 'x'.repeat(100_000) },
      'not an object',
    ]) {
      expect(runnerMessage.safeParse(bad).success).toBe(false);
    }
  });
});
