/**
 * Synthetic checks in Debian's Chromium, through the typed tools of a real MCP client, against a
 * small login form served on loopback: a passing script (a secret as process.env), a failing
 * assertion (its step, a screenshot), a hanging script (killed at its timeout, the browser kept
 * for the next run and closed when the scheduler stops), a script that does not compile
 * (refused at create time, with its line), a multistep check written as a script, and the
 * confinement: the target guard refusing the metadata address from inside the browser, file:
 * pages, Node modules and raw sockets. The children run from dist/ (npm run build first).
 * Skipped only when no Chromium is installed outside CI; in CI (CI=true) a missing browser fails.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, openHarness } from '../../../../../test/helpers/harness.js';
import { tempDir } from '../../../../../test/helpers/vigil.js';
import { silentLogger } from '../../../../core/log.js';
import { runProbe } from '../probes/index.js';
import { BrowserMissingError, findChromium, SyntheticBrowser } from './browser.js';

const chromium = (() => {
  try {
    return findChromium(process.env.VIGIL_CHROMIUM_PATH);
  } catch {
    return undefined;
  }
})();
const CI = process.env.CI === 'true';

const LOGIN_FORM = `<!doctype html><title>Sign in</title>
<form method="post" action="/login">
  <label>User <input id="user" name="user"></label>
  <label>Password <input id="password" name="password" type="password"></label>
  <button id="submit">Sign in</button>
</form>
<script>console.error('analytics failed to load')</script>`;

const PASSING = `import { test, expect } from '@playwright/test';

test('Log in', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveTitle('Sign in');
  await test.step('Fill the form', async () => {
    await page.fill('#user', process.env.LOGIN_USER);
    await page.fill('#password', 's3cret');
    await page.click('#submit');
  });
  await test.step('See the greeting', async () => {
    await expect(page.locator('#hello')).toHaveText('Hello, ada_l');
  });
});
`;

describe('without a browser', () => {
  it('answers a clear error naming what to install', async () => {
    expect(() => findChromium(undefined, '/nonexistent')).toThrow(BrowserMissingError);
    expect(() => findChromium(undefined, '/nonexistent')).toThrow(
      /apt install chromium.*VIGIL_CHROMIUM_PATH/,
    );
    const browser = new SyntheticBrowser({
      log: silentLogger(),
      chromiumPath: '/nonexistent/chrome',
      blockPrivate: false,
    });
    const result = await runProbe(
      {
        type: 'synthetic',
        timeout: 5,
        url: 'http://127.0.0.1:9/',
        parameters: { pw_script: "await page.goto('/')" },
      },
      { blockPrivate: false, browser },
    );
    expect(result).toMatchObject({ status: 'failed' });
    expect(result.error_message).toMatch(/VIGIL_CHROMIUM_PATH is \/nonexistent\/chrome/);
  });
});

describe.skipIf(!chromium && !CI)('synthetic checks in Chromium', () => {
  let h: Harness;
  let http: Server;
  let base = '';

  beforeAll(async () => {
    http = createServer((req, res) => {
      res.setHeader('content-type', 'text/html');
      if (req.method === 'POST' && req.url === '/login') {
        let body = '';
        req.on('data', (c) => {
          body += c;
        });
        req.on('end', () => {
          const form = new URLSearchParams(body);
          if (form.get('password') !== 's3cret') res.writeHead(401).end('<p>Wrong password</p>');
          else res.end(`<title>Welcome</title><h1 id="hello">Hello, ${form.get('user')}</h1>`);
        });
        return;
      }
      if (req.url === '/api/token') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ token: 'tok-1' }));
      } else res.end(LOGIN_FORM);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    h = await openHarness({ store: { dataDir: tempDir() } });
  });
  afterAll(async () => {
    await h?.close();
    http?.closeAllConnections();
    http?.close();
  });

  const execute = async (pw_script: string, extra: Record<string, unknown> = {}) =>
    (await h.ok('execute_synthetic_check', { name: 'login', url: base, pw_script, timeout: 20, ...extra }))
      .jobs[0].result;

  it('has Chromium installed (CI installs it)', () => {
    expect(chromium, 'no Chromium: apt install chromium, or set VIGIL_CHROMIUM_PATH').toBeDefined();
  });

  it('runs a passing script with a secret as process.env, reporting its steps and the console errors', async () => {
    const check = (
      await h.ok('create_synthetic_check', {
        name: 'Sign-in flow',
        url: base,
        pw_script: PASSING,
        active: false,
      })
    ).checks[0];
    expect(check).toMatchObject({
      type: 'synthetic',
      url: base,
      timeout: 60,
      parameters: { pw_script: PASSING },
    });
    const secret = (await h.ok('create_secret', { name: 'login user', value: 'ada_l' })).secrets[0];
    await h.ok('add_secret_to_check', {
      check_id: check.id,
      secret_id: secret.id,
      env_var_name: 'LOGIN_USER',
    });
    const job = (await h.ok('execute_existing_check', { check_id: check.id })).jobs[0];
    expect(job.result.status).toBe('ok');
    expect(job.result.error_message ?? null).toBeNull();
    expect(job.result.check_metadata.steps.map((s: { name: string }) => s.name)).toEqual([
      'Log in > Fill the form',
      'Log in > See the greeting',
      'Log in',
    ]);
    expect(job.result.check_metadata.console_errors).toEqual(['analytics failed to load']);
    expect(JSON.stringify(job.result)).not.toContain('ada_l');
  }, 60_000);

  it("runs the seed's template script, which saves a screenshot to a relative path", async () => {
    const template = `const { test, expect } = require('@playwright/test');
test('Page loads', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('${base}');
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: 'screenshot.png', fullPage: true });
  expect(await page.title()).toBeTruthy();
});`;
    expect(await execute(template)).toMatchObject({ status: 'ok' });
  });

  it('fails an assertion with its step, what it expected and found, and a small screenshot', async () => {
    const script = PASSING.replace('process.env.LOGIN_USER', "'bob'").replace("'Hello, ada'", "'Hello, ada'");
    const result = await execute(script, { screenshot_on_failure: true });
    expect(result.status).toBe('failed');
    expect(result.error_message).toContain(
      "Step 'Log in > See the greeting': expect(locator('#hello')).toHaveText()",
    );
    expect(result.error_message).toContain("Expected: 'Hello, ada_l'");
    expect(result.error_message).toContain("Received: 'Hello, bob'");
    expect(result.check_metadata).toMatchObject({
      failed_step: 'Log in > See the greeting',
      failed_line: 12,
    });
    const shot = result.check_metadata.screenshot;
    expect(shot.type).toBe('image/jpeg');
    expect(Buffer.from(shot.base64, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(shot.base64.length).toBeLessThan(160_000);
  });

  it('kills a hanging script at its timeout and keeps the browser for the next run', async () => {
    await execute("await page.goto('/')");
    const pid = h.rt.embedded.browser.pid;
    expect(pid).toBeDefined();
    const started = Date.now();
    const hung = await execute(
      "await test.step('Wait forever', async () => { await page.goto('/'); while (true) {} })",
      // Long enough for a runner to start on a busy two-core machine (seconds, mostly loading Playwright).
      { timeout: 8 },
    );
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(hung).toMatchObject({
      status: 'timeout',
      error_message: "Timed out after 8 s in step 'Wait forever'",
    });
    expect(await execute("await page.goto('/'); await expect(page).toHaveTitle('Sign in')")).toMatchObject({
      status: 'ok',
    });
    expect(h.rt.embedded.browser.pid).toBe(pid);

    // Stopping the scheduler closes the browser; the next run starts another.
    await h.rt.embedded.scheduler.stop();
    expect(h.rt.embedded.browser.pid).toBeUndefined();
    expect(() => process.kill(pid as number, 0)).toThrow();
    expect(await execute("await page.goto('/')")).toMatchObject({ status: 'ok' });
    expect(h.rt.embedded.browser.pid).not.toBe(pid);
  }, 90_000);

  it('refuses a script that does not compile when the check is created, naming the line', async () => {
    const before = (await h.ok('list_checks', {})).checks.length;
    const broken = await h.call('create_synthetic_check', {
      name: 'broken',
      url: base,
      pw_script: "await page.goto('/');\nawait page.click('#submit';\n",
    });
    expect(broken.isError).toBe(true);
    expect(broken.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { parameter: 'parameters.pw_script', line: 2 },
    });
    expect(broken.body.error.message).toMatch(/^Invalid `parameters.pw_script`: syntax error at line 2: /);
    const imports = await h.call('execute_synthetic_check', {
      name: 'fs',
      url: base,
      pw_script: "import { readFileSync } from 'node:fs';\nreadFileSync('/etc/passwd');",
    });
    expect(imports.body.error.message).toContain(
      "imports 'node:fs'; a synthetic check may import only @playwright/test",
    );
    expect((await h.ok('list_checks', {})).checks.length).toBe(before);
  });

  it('runs a multistep check written as a Playwright script with the request fixture', async () => {
    const job = (
      await h.ok('execute_multistep_check', {
        name: 'token',
        url: base,
        pw_script:
          "const r = await request.get('/api/token');\nawait expect(r).toBeOK();\nexpect((await r.json()).token).toBe('tok-2');",
        timeout: 20,
      })
    ).jobs[0];
    expect(job.result.status).toBe('failed');
    expect(job.result.error_message).toMatch(/^Line 3: expect\('tok-1'\)\.toBe\(\) failed/);
  });

  it('applies the target guard to the browser, and keeps scripts off files, Node modules and sockets', async () => {
    const metadata = await execute("await page.goto('http://169.254.169.254/latest/meta-data/')");
    expect(metadata.status).toBe('failed');
    expect(metadata.error_message).toContain(
      'the target guard refused 169.254.169.254 is a cloud metadata address',
    );
    expect(metadata.check_metadata.refused_requests[0]).toMatchObject({
      url: 'http://169.254.169.254/latest/meta-data/',
    });
    // A context of its own, or a fetch through the API client, goes through the guard too.
    const own = await execute(
      "const c = await page.context().browser().newContext();\nconst p = await c.newPage();\nawait p.goto('http://169.254.169.254/');",
    );
    expect(own.error_message).toContain('cloud metadata address');
    const api = await execute("await request.get('http://169.254.169.254/latest/meta-data/')");
    expect(api.error_message).toContain('cloud metadata address');

    const file = await execute("await page.goto('file:///etc/passwd')");
    expect(file.error_message).toContain(
      'Only http(s) pages can be opened by synthetic checks, not file:///etc/passwd',
    );
    const cdp = await execute('await page.context().newCDPSession(page)');
    expect(cdp.error_message).toContain('newCDPSession is not available to synthetic checks');
    const node = await execute("require('child_process')");
    expect(node.error_message).toContain("Cannot use 'child_process' in a synthetic check");
    // Out of the script's realm, the runner process itself has no files and no sockets.
    const outOfRealm = "const host = page.constructor.constructor('return process')();\n";
    const fsRead = await execute(`${outOfRealm}host.binding('fs')`);
    expect(fsRead.error_message).toMatch(/^Line 2: Synthetic scripts have no files .*Node internals/);
    const write = await execute(
      "await page.goto('/');\nawait page.screenshot({ path: '/tmp/vigil-escaped.png' });",
    );
    expect(write.error_message).toContain('no files (beyond their working directory)');
    const socket = await execute(
      `${outOfRealm}const net = host.getBuiltinModule?.('node:net');\nif (net) net.connect(80, '169.254.169.254');\nelse throw new Error('no builtins');`,
    );
    expect(socket.error_message).toMatch(/cannot open network connections of their own|no builtins/);
    // Signals are outside the permission model: the runner seals them itself.
    const signal = await execute(`${outOfRealm}host.kill(host.ppid, 'SIGKILL')`);
    expect(signal.error_message).toContain('cannot send signals');
    const debug = await execute(`${outOfRealm}host._debugProcess(host.ppid)`);
    expect(debug.error_message).toContain('cannot debug other processes');
    const nice = await execute(
      'const os = await page.constructor.constructor(\'return import("node:os")\')();\nos.setPriority(1, 19);',
    );
    // (Function-made code has no dynamic import here; were it given one, setPriority is sealed too.)
    expect(nice.error_message).toMatch(/cannot change process priorities|dynamic import callback/);
    // Thirteen runs, each a runner process and a browser context: seconds each on a busy machine.
  }, 180_000);
});
