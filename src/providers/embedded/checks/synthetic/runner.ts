/**
 * The script runner: one child process per synthetic run, started by browser.ts in a network
 * namespace of its own as an unprivileged user (isolation.ts), and under Node's permission model
 * (it reads only its own code and playwright-core; it writes only its scratch directory and spawns
 * nothing), with no environment but the check's secrets. Its only way out is a Unix socket to
 * Vigil's relay, bridged to its loopback. It reads the run from stdin, opens a fresh browser
 * context, runs the script with `page`, `context`, `request`, `expect`, `test` and `process.env`
 * (the secrets), and answers on stdout with what happened. It reports each test and step as it
 * starts, so a run killed at its timeout still says where it was.
 *
 * There is no IPC channel: a script that reaches the real `process` finds no `process.send`, and
 * what it writes to stdout is ignored, since Vigil takes only lines signed with the run's key,
 * which came on stdin before the script ran and is held in a KeyObject (native memory) that no
 * JavaScript can read. A script that patches what the runner calls can spoil its report, not
 * forge one.
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { writeSync } from 'node:fs';
import { createContext } from 'node:vm';
import { compilePrepared, SCRIPT_MODULES } from '../../../../core/pw-compile.js';
import { bridge } from './bridge.js';
import { expect } from './expect.js';
import { allowProbes, confineNetwork, confineProcess } from './sandbox.js';

export interface RunRequest {
  /** playwright-core's entry file. */
  playwright: string;
  /** The Unix socket of Vigil's relay. */
  relay: string;
  /** The run's path on the relay. */
  token: string;
  /** The key (hex) that signs each line this runner writes on stdout. */
  secret: string;
  script: string;
  variables: Record<string, string>;
  baseURL?: string | undefined;
  /** Milliseconds the whole run may take. */
  timeoutMs: number;
  screenshot: boolean;
}

export interface RunReport {
  passed: boolean;
  error?: string;
  /** The test and step path that failed, e.g. "Login > Submit the form". */
  step?: string;
  line?: number;
  steps: { name: string; duration_ms: number; passed: boolean }[];
  console_errors: string[];
  logs: string[];
  screenshot?: string;
}

/** Lines from runner to Vigil, each after its signature: progress, then one report. */
export type RunnerMessage = { step: string } | { report: RunReport };

const MAX_LINES = 10;
const MAX_STEPS = 200;
const MAX_LINE = 300;
const MAX_SCREENSHOT_BYTES = 120_000;
const clip = (s: string) => (s.length > MAX_LINE ? `${s.slice(0, MAX_LINE)}…` : s);

type TestBody = (fixtures: Record<string, unknown>) => unknown;

// Taken before the script runs: a script may replace the globals and builtins' exports later.
const stringify = JSON.stringify;
const write = writeSync;
const sign = createHmac;
const exit = process.exit.bind(process);
let key: KeyObject | undefined;

/** One signed message to Vigil on stdout, after a newline so nothing a script wrote runs into it. */
function emit(message: RunnerMessage): void {
  const body = stringify(message);
  const text = `\n${sign('sha256', key as KeyObject)
    .update(body)
    .digest('hex')} ${body}\n`;
  let buf = Buffer.from(text);
  while (buf.length) {
    try {
      buf = buf.subarray(write(1, buf));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    }
  }
}

/**
 * A promise the script did not await that failed (an `expect` without `await`, or a route handler
 * denied a file): the run fails there and then, rather than waiting out its timeout.
 */
let abort: (err: unknown) => void = () => undefined;
const aborted = new Promise<never>((_, reject) => {
  abort = reject;
});
aborted.catch(() => undefined);
let unawaited: unknown;
process.on('unhandledRejection', (err) => {
  unawaited ??= err;
  abort(err);
});

const input: Buffer[] = [];
process.stdin.on('data', (d: Buffer) => input.push(d));
process.stdin.once('end', () => {
  const req = JSON.parse(Buffer.concat(input).toString()) as RunRequest;
  input.length = 0;
  key = createSecretKey(Buffer.from(req.secret, 'hex'));
  req.secret = '';
  run(req).then(
    (report) => {
      emit({ report });
      exit(0);
    },
    (err: unknown) => {
      emit({ report: { passed: false, error: plain(err), steps: [], console_errors: [], logs: [] } });
      exit(0);
    },
  );
});

/** A failure as a sentence: file and Node denials, and a crashed page, said plainly. */
function plain(err: unknown): string {
  const e = err as (NodeJS.ErrnoException & { resource?: string }) | undefined;
  if (e?.code === 'ERR_ACCESS_DENIED')
    return `Synthetic scripts have no files (beyond their working directory), processes or Node internals: ${e.resource ?? e.message}`;
  const message = String(e?.message ?? e);
  if (/Target crashed|Page crashed/i.test(message))
    return 'The page crashed in the browser (it may have run out of memory).';
  return message;
}

async function run(req: RunRequest): Promise<RunReport> {
  const started = Date.now();
  const remaining = () => Math.max(1, req.timeoutMs - (Date.now() - started));
  allowProbes();
  const relay = await bridge({ host: '127.0.0.1', port: 0 }, { path: req.relay });
  confineNetwork('127.0.0.1', relay.port, req.relay);
  const { chromium } = (await import(req.playwright)) as typeof import('playwright-core');
  const browser = await chromium.connect(`ws://127.0.0.1:${relay.port}/${req.token}`, {
    timeout: remaining(),
  });
  confineProcess();
  const context = await browser.newContext({
    baseURL: req.baseURL,
    viewport: { width: 1280, height: 720 },
  });
  context.setDefaultTimeout(remaining());
  context.setDefaultNavigationTimeout(remaining());
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const logs: string[] = [];
  const note = (list: string[], line: string) => list.length < MAX_LINES && list.push(clip(line));
  page.on('console', (m) => m.type() === 'error' && note(consoleErrors, m.text()));
  page.on('pageerror', (e) => note(consoleErrors, `${e.name}: ${e.message}`));

  // @playwright/test's shape: tests registered by the script, run in order after its body.
  const tests: { name: string; body: TestBody }[] = [];
  const hooks = { beforeEach: [] as TestBody[], afterEach: [] as TestBody[] };
  const steps: RunReport['steps'] = [];
  const path: string[] = [];
  const describe: string[] = [];
  let failedAt: string | undefined;
  const fixtures = { page, context, request: context.request, browserName: 'chromium', baseURL: req.baseURL };
  const inStep = async <T>(name: string, body: () => Promise<T>): Promise<T> => {
    path.push(name);
    const label = clip(path.join(' > '));
    emit({ step: label });
    const t0 = Date.now();
    try {
      const value = await Promise.race([body(), aborted]);
      if (steps.length < MAX_STEPS) steps.push({ name: label, duration_ms: Date.now() - t0, passed: true });
      return value;
    } catch (err) {
      if (steps.length < MAX_STEPS) steps.push({ name: label, duration_ms: Date.now() - t0, passed: false });
      failedAt ??= label;
      throw err;
    } finally {
      path.pop();
    }
  };
  const test = Object.assign(
    (name: string, a: unknown, b?: unknown) => {
      const body = (typeof a === 'function' ? a : b) as TestBody;
      tests.push({ name: [...describe, name].join(' > '), body });
    },
    {
      step: <T>(name: string, body: () => Promise<T>) => inStep(name, body),
      describe: Object.assign(
        (name: string, body: () => void) => {
          describe.push(name);
          try {
            body();
          } finally {
            describe.pop();
          }
        },
        { configure: () => undefined, serial: undefined as unknown, parallel: undefined as unknown },
      ),
      beforeEach: (body: TestBody) => hooks.beforeEach.push(body),
      afterEach: (body: TestBody) => hooks.afterEach.push(body),
      beforeAll: (body: TestBody) => hooks.beforeEach.push(body),
      afterAll: (body: TestBody) => hooks.afterEach.push(body),
      use: () => undefined,
      setTimeout: () => undefined,
      slow: () => undefined,
      skip: () => undefined,
      fixme: () => undefined,
      info: () => ({ annotations: [], attach: async () => undefined }),
      expect,
    },
  );
  test.describe.serial = test.describe;
  test.describe.parallel = test.describe;
  const testModule = { test, expect, devices: {} };
  const sandbox = createContext({
    page,
    context,
    request: context.request,
    expect,
    test,
    baseURL: req.baseURL,
    process: { env: { ...req.variables } },
    require: (name: string) => {
      if ((SCRIPT_MODULES as readonly string[]).includes(name)) return testModule;
      throw new Error(`Cannot use '${name}' in a synthetic check: only @playwright/test is available.`);
    },
    console: {
      log: (...a: unknown[]) => note(logs, a.map(String).join(' ')),
      info: (...a: unknown[]) => note(logs, a.map(String).join(' ')),
      warn: (...a: unknown[]) => note(logs, a.map(String).join(' ')),
      error: (...a: unknown[]) => note(logs, a.map(String).join(' ')),
    },
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    Buffer,
  });

  let error: unknown;
  try {
    await Promise.race([compilePrepared(req.script).runInContext(sandbox) as Promise<unknown>, aborted]);
    for (const t of tests) {
      await inStep(t.name, async () => {
        for (const h of hooks.beforeEach) await h(fixtures);
        await t.body(fixtures);
        for (const h of hooks.afterEach) await h(fixtures);
      });
    }
  } catch (err) {
    error = err;
  }
  error ??= unawaited;
  const report: RunReport = { passed: error === undefined, steps, console_errors: consoleErrors, logs };
  if (error !== undefined) {
    const e = error as Error | undefined;
    report.error = plain(error)
      .replace(/\n\s*Call log:[\s\S]*$/, '')
      .slice(0, 2000);
    if (failedAt) report.step = failedAt;
    const line = Number(/pw_script\.js:(\d+)/.exec(String(e?.stack))?.[1]);
    if (line) report.line = line;
    if (req.screenshot) {
      const shot = await page.screenshot({ type: 'jpeg', quality: 40, timeout: 2000 }).catch(() => undefined);
      if (shot && shot.length <= MAX_SCREENSHOT_BYTES) report.screenshot = shot.toString('base64');
    }
  }
  await browser.close().catch(() => undefined);
  return report;
}
