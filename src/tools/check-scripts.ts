/**
 * The Pingera seed's typed tools for browser and multistep checks: `create_synthetic_check`,
 * `execute_synthetic_check`, `create_multistep_check`, `execute_multistep_check`. Each is
 * create_check or execute_custom_check with the type fixed and its parameters at the top level.
 * A multistep check takes the seed's Playwright script (`pw_script`) or Vigil's HTTP `steps`.
 */
import { z } from 'zod';
import { runCustom, wait } from './check-runs.js';
import { createTyped, fields } from './checks.js';
import { CREATE, defineTool } from './define-tool.js';
import { checkItem, checkJobItem } from './output.js';

const pwScript = z
  .string()
  .min(1)
  .max(100_000)
  .describe('Playwright script (@playwright/test); secrets in process.env.');
const startUrl = fields.url.describe('Base URL of the script.');
const steps = z
  .array(z.record(z.string(), z.unknown()))
  .min(1)
  .max(20)
  .describe('Or HTTP steps [{name, request, extract, assertions}].');
const screenshot = z.boolean().optional().describe('Keep a small screenshot of a failure.');
const timeout = fields.timeout.default(60);

/** The check's parameters from the typed arguments, leaving out what was not given. */
function parametersOf(a: {
  pw_script?: string | undefined;
  steps?: unknown[] | undefined;
  screenshot_on_failure?: boolean | undefined;
}) {
  return Object.fromEntries(
    Object.entries({
      pw_script: a.pw_script,
      steps: a.steps,
      screenshot_on_failure: a.screenshot_on_failure,
    }).filter(([, v]) => v !== undefined),
  );
}

export const createSyntheticCheck = defineTool({
  name: 'create_synthetic_check',
  toolset: 'checks',
  port: 'checks',
  resource: 'checks',
  output: checkItem,
  annotations: CREATE,
  description: 'Create a browser check: a Playwright script run in Chromium on an interval.',
  input: z.strictObject({
    name: fields.name,
    url: startUrl,
    pw_script: pwScript,
    interval: fields.interval.default(300),
    timeout,
    active: fields.active.default(true),
    screenshot_on_failure: screenshot,
  }),
  handler: ({ name, url, interval, timeout: t, active, ...p }, ctx) =>
    createTyped(ctx, {
      name,
      type: 'synthetic',
      url,
      interval,
      timeout: t,
      active,
      parameters: parametersOf(p),
    }),
});

export const executeSyntheticCheck = defineTool({
  name: 'execute_synthetic_check',
  toolset: 'checks',
  port: 'checks',
  resource: 'jobs',
  output: checkJobItem,
  annotations: CREATE,
  description: 'Run a Playwright script in Chromium now: the failing step, console errors, timing.',
  input: z.strictObject({
    name: fields.name,
    url: startUrl,
    pw_script: pwScript,
    timeout,
    screenshot_on_failure: screenshot,
    wait,
  }),
  handler: ({ name, url, timeout: t, wait: w, ...p }, ctx) =>
    runCustom(ctx, { type: 'synthetic', name, url, timeout: t, parameters: parametersOf(p) }, w),
});

export const createMultistepCheck = defineTool({
  name: 'create_multistep_check',
  toolset: 'checks',
  port: 'checks',
  resource: 'checks',
  output: checkItem,
  annotations: CREATE,
  description: 'Create a multistep API check: a Playwright script (request fixture), or HTTP steps.',
  input: z.strictObject({
    name: fields.name,
    url: startUrl.optional(),
    pw_script: pwScript.optional(),
    steps: steps.optional(),
    interval: fields.interval.default(300),
    timeout,
    active: fields.active.default(true),
  }),
  handler: ({ name, url, interval, timeout: t, active, ...p }, ctx) =>
    createTyped(ctx, {
      name,
      type: 'multistep',
      url,
      interval,
      timeout: t,
      active,
      parameters: parametersOf(p),
    }),
});

export const executeMultistepCheck = defineTool({
  name: 'execute_multistep_check',
  toolset: 'checks',
  port: 'checks',
  resource: 'jobs',
  output: checkJobItem,
  annotations: CREATE,
  description: 'Run a multistep API check now: a Playwright script, or HTTP steps.',
  input: z.strictObject({
    name: fields.name,
    url: startUrl.optional(),
    pw_script: pwScript.optional(),
    steps: steps.optional(),
    timeout,
    wait,
  }),
  handler: ({ name, url, timeout: t, wait: w, ...p }, ctx) =>
    runCustom(ctx, { type: 'multistep', name, url, timeout: t, parameters: parametersOf(p) }, w),
});

export const checkScriptTools = [
  createSyntheticCheck,
  executeSyntheticCheck,
  createMultistepCheck,
  executeMultistepCheck,
];
