/**
 * The Pingera seed's script generators: `generate_synthetic_check_script` and
 * `generate_api_check_script` write a Playwright script (`@playwright/test`) for a synthetic or
 * multistep check from a few facts, locally, calling nothing. User text lands in the script only
 * as JSON string literals or `//` comments, never as code (except `custom_code`, which is code
 * by its nature and is checked to compile).
 */
import { z } from 'zod';
import { generatedScriptSchema } from '../core/checks.js';
import { ValidationError } from '../core/errors.js';
import { compileScript, ScriptError } from '../core/pw-script.js';
import { fields } from './checks.js';
import { defineTool, READ } from './define-tool.js';
import * as p from './params.js';

const description = z.string().trim().min(1).max(2000).describe('What the script should check.');
const lit = (v: unknown) => JSON.stringify(v);
/** Free text as `//` comment lines: a line break cannot end the comment early. */
const comment = (text: string) =>
  text
    .split(/\r\n|[\n\r\u2028\u2029]/)
    .map((l) => `// ${l}`)
    .join('\n');
const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60)
    .replace(/-$/, '') || 'check';

function instructions(type: string) {
  return {
    usage: `Pass script_content as pw_script to create_${type}_check (or execute_${type}_check to try it once).`,
    requirements: 'Runs in Chromium through Playwright; secrets reach it as process.env.NAME.',
    configuration: 'Set the check interval and timeout on create; a failed expect fails the run.',
  };
}

export const generateSyntheticCheckScript = defineTool({
  name: 'generate_synthetic_check_script',
  toolset: 'checks',
  port: 'checks',
  resource: 'scripts',
  output: generatedScriptSchema,
  annotations: READ,
  description:
    'Write a Playwright browser-check script for a page: opens it, waits for it to settle, checks it loaded.',
  input: z.strictObject({
    description,
    target_url: fields.url.describe('The page to open.'),
    script_name: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .optional()
      .describe('A name (default from the description).'),
    include: p.include.optional(),
  }),
  async handler(args) {
    const name = args.script_name ?? slug(args.description);
    const script = `${comment(args.description)}
import { test, expect } from '@playwright/test';

test(${lit(name)}, async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  const response = await page.goto(${lit(args.target_url)}, { waitUntil: 'networkidle' });
  expect(response?.ok()).toBeTruthy();
  await expect(page).toHaveTitle(/.+/);
});
`;
    compileScript(script);
    return {
      items: [
        {
          script_name: name,
          script_type: 'synthetic_browser_check',
          target_url: args.target_url,
          description: args.description,
          script_content: script,
          instructions: instructions('synthetic'),
        },
      ],
    };
  },
});

export const generateApiCheckScript = defineTool({
  name: 'generate_api_check_script',
  toolset: 'checks',
  port: 'checks',
  resource: 'scripts',
  output: generatedScriptSchema,
  annotations: READ,
  description: 'Write a Playwright API-check script: one request, then status, text and custom assertions.',
  input: z.strictObject({
    url: fields.url.describe('The URL to request.'),
    description,
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET').describe('HTTP method.'),
    headers: z.record(z.string(), z.string().max(4096)).optional().describe('Request headers.'),
    payload: z.record(z.string(), z.unknown()).optional().describe('JSON body.'),
    expected_status: z
      .number()
      .int()
      .min(100)
      .max(599)
      .optional()
      .describe('Status to expect (default any 2xx).'),
    contains_string: z.string().max(1000).optional().describe('Text the body must contain.'),
    custom_code: z
      .string()
      .max(20_000)
      .optional()
      .describe('More script lines; `response` and `body` in scope.'),
    include: p.include.optional(),
  }),
  async handler(args) {
    const name = slug(args.description);
    const options = {
      ...(args.headers && { headers: args.headers }),
      ...(args.payload && { data: args.payload }),
    };
    const status =
      args.expected_status === undefined
        ? '  expect(response.ok()).toBeTruthy();'
        : `  expect(response.status()).toBe(${args.expected_status});`;
    const script = `${comment(args.description)}
import { test, expect } from '@playwright/test';

test(${lit(name)}, async ({ request }) => {
  const response = await request.fetch(${lit(args.url)}, { method: ${lit(args.method)}${
    Object.keys(options).length ? `, ...${lit(options)}` : ''
  } });
${status}
  const body = await response.text();
${args.contains_string === undefined ? '' : `  expect(body).toContain(${lit(args.contains_string)});\n`}${
  args.custom_code === undefined ? '' : `${args.custom_code}\n`
}});
`;
    try {
      compileScript(script);
    } catch (err) {
      if (!(err instanceof ScriptError)) throw err;
      throw new ValidationError(`custom_code does not compile: ${err.message}`, { parameter: 'custom_code' });
    }
    return {
      items: [
        {
          script_name: name,
          script_type: 'api_check',
          target_url: args.url,
          description: args.description,
          script_content: script,
          instructions: instructions('multistep'),
        },
      ],
    };
  },
});

export const scriptTemplateTools = [generateSyntheticCheckScript, generateApiCheckScript];
