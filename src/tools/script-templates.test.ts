/**
 * The seed's script generators: the scripts compile, user text stays text, and the generated
 * scripts pass when run for real against a page and an API on loopback (in Chromium).
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, openHarness } from '../../test/helpers/harness.js';
import { tempDir } from '../../test/helpers/vigil.js';
import { compileScript } from '../core/pw-script.js';

/** A browser where the synthetic runner looks for one (tools may not import the provider to ask it). */
const chromium = [
  process.env.VIGIL_CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
]
  .filter((p): p is string => Boolean(p))
  .find((p) => existsSync(p));

describe('generate_synthetic_check_script and generate_api_check_script', () => {
  let h: Harness;
  let server: Server;
  let base = '';

  beforeAll(async () => {
    h = await openHarness({ store: { dataDir: tempDir() } });
    server = createServer((req, res) => {
      if (req.url === '/api/health') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"healthy"}');
      } else res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Shop</title><h1>Hello</h1>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((r) => server?.close(r));
  });

  it('writes a browser script that compiles, with the description as comments only', async () => {
    const body = await h.ok('generate_synthetic_check_script', {
      description:
        'Shop front page loads */ process.exit(1) /*\nsecond line\rglobalThis.a=1\u2028globalThis.b=2',
      target_url: `${base}/?q="quoted"`,
    });
    const [script] = body.scripts;
    expect(script).toMatchObject({
      script_type: 'synthetic_browser_check',
      target_url: `${base}/?q="quoted"`,
    });
    expect(script.script_name).toBe('shop-front-page-loads-process-exit-1-second-line-globalthis');
    expect(() => compileScript(script.script_content)).not.toThrow();
    // Every way JavaScript ends a line: none may end a comment early.
    const code = script.script_content
      .split(/\r\n|[\n\r\u2028\u2029]/)
      .filter((l: string) => !l.startsWith('//'))
      .join('\n');
    expect(code).not.toContain('process.exit');
    expect(code).not.toContain('globalThis');
    expect(code).toContain(JSON.stringify(`${base}/?q="quoted"`));
  });

  it('writes an API script with status, text and custom assertions; bad custom code is refused', async () => {
    const body = await h.ok('generate_api_check_script', {
      url: `${base}/api/health`,
      description: 'Health endpoint',
      method: 'GET',
      headers: { 'x-check': 'vigil' },
      expected_status: 200,
      contains_string: 'healthy',
      custom_code: "  expect(JSON.parse(body).status).toBe('healthy');",
    });
    const { script_content: content } = body.scripts[0];
    expect(content).toContain('expect(response.status()).toBe(200);');
    expect(content).toContain('expect(body).toContain("healthy");');
    expect(() => compileScript(content)).not.toThrow();
    const bad = await h.call('generate_api_check_script', {
      url: `${base}/api/health`,
      description: 'Broken',
      custom_code: 'expect(',
    });
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { parameter: 'custom_code' } });
  });

  it.skipIf(!chromium && process.env.CI !== 'true')(
    'the generated scripts pass when run in Chromium',
    async () => {
      const page = await h.ok('generate_synthetic_check_script', {
        description: 'Shop',
        target_url: `${base}/`,
      });
      const ran = await h.ok('execute_synthetic_check', {
        name: 'Shop',
        url: `${base}/`,
        pw_script: page.scripts[0].script_content,
        timeout: 30,
      });
      expect(ran.jobs[0]).toMatchObject({ status: 'completed' });
      expect(ran.jobs[0].result.status).toBe('ok');
      const api = await h.ok('generate_api_check_script', {
        url: `${base}/api/health`,
        description: 'Health',
        contains_string: 'healthy',
      });
      const apiRun = await h.ok('execute_multistep_check', {
        name: 'Health',
        url: `${base}/`,
        pw_script: api.scripts[0].script_content,
        timeout: 30,
      });
      expect(apiRun.jobs[0].result.status).toBe('ok');
    },
    90_000,
  );
});
