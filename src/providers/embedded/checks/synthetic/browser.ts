/**
 * Synthetic checks' browser, one per Vigil process, started at the first run and kept: launching
 * Chromium takes about a second, a run in a fresh context a fraction of that. Three parts, so a
 * script (user-supplied code) gets no further than a web page would:
 *
 * - the browser host (host.ts): a child process owning Chromium as a Playwright server, confined
 *   by Node's permission model to its temporary directory;
 * - one script runner per run (runner.ts): a child process with no file, process or network
 *   access beyond its relay connection, killed at the check's timeout — the browser lives on;
 * - here, in Vigil: the relay between runners and the host, which screens each call
 *   (protocol-filter.ts), and a guard proxy per run (guard-proxy.ts) that is the browser's only
 *   route to the network, so the target guard judges the browser's requests too.
 *
 * Both children run in network namespaces of their own, as an unprivileged user (isolation.ts):
 * they reach the relay and the proxies only through Unix sockets in a directory of Vigil's. Where
 * the host cannot isolate them, runs are refused unless VIGIL_SYNTHETIC_UNCONFINED is set.
 */
import { spawn } from 'node:child_process';
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { accessSync, chmodSync, chownSync, constants, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Logger } from '../../../../core/log.js';
import { prepareScript, type ScriptError } from '../../../../core/pw-script.js';
import { type GuardProxy, startGuardProxy } from './guard-proxy.js';
import { detectIsolation, type Isolation } from './isolation.js';
import { type ProtocolMessage, refusal, screen } from './protocol-filter.js';
import type { RunReport, RunRequest } from './runner.js';
import { permissionFlags } from './sandbox.js';

/** What a runner may report (runner.ts RunnerMessage), with the sizes it keeps to itself. */
const line = z.string().max(2_000);
export const runnerMessage = z.union([
  z.object({ step: line }),
  z.object({
    report: z.object({
      passed: z.boolean(),
      error: z.string().max(10_000).optional(),
      step: line.optional(),
      line: z.number().int().optional(),
      steps: z.array(z.object({ name: line, duration_ms: z.number(), passed: z.boolean() })).max(200),
      console_errors: z.array(line).max(20),
      logs: z.array(line).max(20),
      screenshot: z.string().max(200_000).optional(),
    }),
  }),
]);

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
const HOST_START_MS = 30_000;
/** Runs at once per process; more wait their turn (within their own timeout). */
const PARALLEL_RUNS = 2;
const RUNNER_MEMORY_MB = 256;
/** Most bytes of runner output kept while looking for the end of a line. */
const MAX_OUTPUT_LINE = 1_000_000;

export class BrowserMissingError extends Error {}
/** The host cannot isolate the browser and the script, and the operator has not opted out. */
export class IsolationUnavailableError extends Error {}

/** The browser to drive: VIGIL_CHROMIUM_PATH, else the first Chromium or Chrome on PATH. */
export function findChromium(configured: string | undefined, path = process.env.PATH ?? ''): string {
  if (configured) {
    if (executable(configured)) return configured;
    throw new BrowserMissingError(
      `VIGIL_CHROMIUM_PATH is ${configured}, which is not an executable file; point it at a Chromium or Chrome binary.`,
    );
  }
  for (const name of CANDIDATES) {
    for (const dir of path.split(delimiter).filter(Boolean)) {
      if (executable(join(dir, name))) return join(dir, name);
    }
  }
  throw new BrowserMissingError(
    'Synthetic checks need Chromium, and none is installed here: install it (Debian and Ubuntu: apt install chromium) or set VIGIL_CHROMIUM_PATH to a Chromium or Chrome binary.',
  );
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where the compiled children are: beside this file, or in dist/ when running from the sources. */
function childFile(name: string): string {
  const here = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  try {
    accessSync(here);
    return realpathSync(here);
  } catch {
    // Under vitest this module is src/…/browser.ts; the children must be compiled (npm run build).
    const built = here.replace(/([/\\])src([/\\])/, '$1dist$2');
    try {
      accessSync(built);
      return realpathSync(built);
    } catch {
      throw new Error(`The synthetic check runner is not built (${built}); run npm run build.`);
    }
  }
}

interface WsLike {
  readyState: number;
  send(data: string): void;
  close(): void;
  terminate(): void;
  on(event: 'message', cb: (data: Buffer) => void): void;
  on(event: 'close' | 'open', cb: () => void): void;
  on(event: 'error', cb: (err: Error) => void): void;
}
interface WsServerLike {
  on(
    event: 'connection',
    cb: (ws: WsLike, req: { url?: string; headers: Record<string, unknown> }) => void,
  ): void;
  on(event: 'listening', cb: () => void): void;
  address(): { port: number };
  close(cb?: () => void): void;
}
// playwright-core ships `ws`; its bundle is a public export of the package.
type WsModule = {
  ws: new (url: string, opts?: { headers?: Record<string, string> }) => WsLike;
  wsServer: new (opts: { server: Server }) => WsServerLike;
};

interface Host {
  child: ReturnType<typeof spawn>;
  wsEndpoint: string;
  /** The relay's Unix socket, which runners reach. */
  relayPath: string;
  /** Vigil's sockets: the relay and the guard proxies. */
  sockets: string;
}

interface ActiveRun {
  proxy: GuardProxy;
  /** The run's guard proxy as the browser reaches it, on its own loopback. */
  proxyUrl: string;
  sockets: Set<WsLike>;
}

export interface SyntheticRun {
  script: string;
  variables: Record<string, string>;
  baseURL?: string | undefined;
  /** Epoch milliseconds by which the run must be over. */
  deadline: number;
  blockPrivate: boolean;
  screenshot: boolean;
}

export type SyntheticOutcome =
  | { kind: 'report'; report: RunReport; refused: GuardProxy['refused'] }
  | { kind: 'timeout'; step: string | undefined; refused: GuardProxy['refused'] }
  | { kind: 'crashed'; message: string; refused: GuardProxy['refused'] };

export class SyntheticBrowser {
  private host: Promise<Host> | undefined;
  private readonly runs = new Map<string, ActiveRun>();
  private readonly runners = new Set<ReturnType<typeof spawn>>();
  private active = 0;
  private readonly queue: (() => void)[] = [];
  private playwright: string | undefined;
  private isolation: Isolation | undefined;
  private forwards = 0;
  /** The browser host's process id while it runs (tests check that it outlives a killed run). */
  pid: number | undefined;

  constructor(
    private readonly opts: {
      log: Logger;
      chromiumPath?: string | undefined;
      blockPrivate: boolean;
      /** VIGIL_SYNTHETIC_UNCONFINED: run without the operating system's isolation where it is missing. */
      unconfined?: boolean | undefined;
      /** What the host allows, when not to be found out (tests). */
      isolation?: Isolation | undefined;
    },
  ) {
    this.isolation = opts.isolation;
  }

  /**
   * Where playwright-core is installed. It is an optional dependency (only synthetic checks use
   * it), so an installation without it runs everything else and says what is missing here.
   */
  private get playwrightDir(): string {
    if (this.playwright) return this.playwright;
    try {
      const require = createRequire(import.meta.url);
      this.playwright = realpathSync(dirname(require.resolve('playwright-core/package.json')));
    } catch {
      throw new Error(
        'Synthetic checks need the optional package playwright-core, which is not installed here (npm install playwright-core).',
      );
    }
    return this.playwright;
  }

  /** Runs a script in a fresh context; resolves with its report, or how it ended without one. */
  async run(r: SyntheticRun): Promise<SyntheticOutcome> {
    // Prepared here, where the lexer is: the runner is given the prepared script and only compiles it.
    let script: string;
    try {
      script = prepareScript(r.script);
    } catch (err) {
      const { message, line } = err as ScriptError;
      const report: RunReport = { passed: false, error: message, steps: [], console_errors: [], logs: [] };
      return { kind: 'report', report: line ? { ...report, line } : report, refused: [] };
    }
    const executablePath = findChromium(this.opts.chromiumPath);
    const isolation = await this.isolate();
    await this.slot(r.deadline);
    const token = randomUUID();
    let proxy: GuardProxy | undefined;
    let host: Host | undefined;
    try {
      host = await this.start(executablePath, isolation);
      proxy = await startGuardProxy(r.blockPrivate, join(host.sockets, `proxy-${token}.sock`));
      const port = await this.forward(host, proxy.path);
      this.runs.set(token, { proxy, proxyUrl: `http://127.0.0.1:${port}`, sockets: new Set() });
      return await this.runner(host, isolation, token, { ...r, script }, proxy);
    } finally {
      for (const s of this.runs.get(token)?.sockets ?? []) s.terminate();
      this.runs.delete(token);
      if (proxy && host?.child.connected) host.child.send({ unforward: proxy.path });
      await proxy?.close();
      this.release();
    }
  }

  /**
   * How the children are isolated here, found at the first run: `undefined` when the host cannot
   * and the operator opted out; else refused, saying what the host lacks.
   */
  private async isolate(): Promise<Isolation | undefined> {
    const found =
      this.isolation ??
      (await detectIsolation([
        childFile('runner'),
        childFile('host'),
        join(this.playwrightDir, 'index.mjs'),
      ]));
    // Kept once found; a failure is tried again at the next run (a host may be fixed meanwhile).
    if (found.ok) this.isolation = found;
    if (found.ok) return found;
    if (this.opts.unconfined) return undefined;
    throw new IsolationUnavailableError(
      `Synthetic checks are refused on this server: ${found.reason}. They need the script and its browser kept off the network except through Vigil's guard; to run them without that (a script could then reach this machine's network and open ports on it), set VIGIL_SYNTHETIC_UNCONFINED=true.`,
    );
  }

  /** Has the host bridge a guard proxy's socket to its loopback; resolves with the port. */
  private forward(host: Host, path: string): Promise<number> {
    const id = ++this.forwards;
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => done(0), 10_000);
      const done = (port: number) => {
        clearTimeout(timer);
        host.child.off('message', onMessage);
        if (port) resolve(port);
        else reject(new Error('The synthetic checks browser could not reach its guard proxy.'));
      };
      const onMessage = (m: { forwarded?: number; port?: number }) => {
        if (m?.forwarded === id) done(m.port ?? 0);
      };
      host.child.on('message', onMessage);
      host.child.send({ forward: id, path });
    });
  }

  /** Closes the browser and every run; the next run starts a new one. */
  async close(): Promise<void> {
    for (const child of this.runners) child.kill('SIGKILL');
    const host = this.host;
    this.host = undefined;
    const h = await host?.catch(() => undefined);
    if (!h || h.child.exitCode !== null || h.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => h.child.kill('SIGKILL'), 5000);
      h.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      if (h.child.connected) h.child.send('close');
      else h.child.kill('SIGKILL');
    });
  }

  private async slot(deadline: number): Promise<void> {
    if (this.active < PARALLEL_RUNS) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.queue.indexOf(go);
        if (i >= 0) this.queue.splice(i, 1);
        reject(new Error('Timed out waiting for the browser: too many synthetic checks at once.'));
      }, deadline - Date.now());
      const go = () => {
        clearTimeout(timer);
        this.active++;
        resolve();
      };
      this.queue.push(go);
    });
  }

  private release(): void {
    this.active--;
    this.queue.shift()?.();
  }

  private start(executablePath: string, isolation: Isolation | undefined): Promise<Host> {
    this.host ??= this.launch(executablePath, isolation).catch((err: unknown) => {
      this.host = undefined;
      throw err;
    });
    return this.host;
  }

  private async launch(executablePath: string, isolation: Isolation | undefined): Promise<Host> {
    const tmp = mkdtempSync(join(tmpdir(), 'vigil-browser-'));
    // Vigil's sockets: others may pass through the directory to a socket they are told of.
    const sockets = mkdtempSync(join(tmpdir(), 'vigil-sockets-'));
    chmodSync(sockets, 0o711);
    const hostUid = isolation?.ok ? isolation.owner('host') : undefined;
    if (hostUid !== undefined) chownSync(tmp, hostUid, hostUid);
    const defaultProxy = await startGuardProxy(this.opts.blockPrivate, join(sockets, 'proxy-default.sock'));
    const hostFile = childFile('host');
    const argv = [
      process.execPath,
      ...permissionFlags({
        read: [dirname(hostFile), `${this.playwrightDir}/`, realpathSync(executablePath), `${tmp}/`],
        write: [`${tmp}/`],
        childProcess: true,
      }),
      hostFile,
      join(this.playwrightDir, 'index.mjs'),
      executablePath,
      defaultProxy.path,
      tmp,
    ];
    const [command, ...args] = isolation?.ok ? isolation.wrap(argv, 'host') : argv;
    const child = spawn(command as string, args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp, TMPDIR: tmp },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    const wsEndpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Chromium did not start within 30 s.')), HOST_START_MS);
      child.once('message', (m: { wsEndpoint?: string; sandboxed?: boolean }) => {
        clearTimeout(timer);
        if (m.sandboxed === false) {
          this.opts.log.warn(
            isolation
              ? "Chromium's sandbox could not start here (no user namespaces for an unprivileged user); synthetic checks run the browser without it"
              : "Chromium's sandbox could not start here (running as root, or no user namespaces); synthetic checks run the browser without it",
          );
        }
        if (m.wsEndpoint) resolve(m.wsEndpoint);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new Error(`Chromium could not be started (${executablePath}, exit ${code}): ${stderr.trim()}`),
        );
      });
    }).catch(async (err: unknown) => {
      child.kill('SIGKILL');
      await defaultProxy.close();
      rmSync(tmp, { recursive: true, force: true });
      rmSync(sockets, { recursive: true, force: true });
      throw err;
    });
    const { ws, wsServer } = createRequire(import.meta.url)('playwright-core/lib/utilsBundle') as WsModule;
    const relayPath = join(sockets, 'relay.sock');
    const relayServer = createServer();
    await new Promise<void>((resolve) => relayServer.listen(relayPath, resolve));
    chmodSync(relayPath, 0o666);
    const relay = new wsServer({ server: relayServer });
    relay.on('connection', (client, req) => this.relayConnection(ws, wsEndpoint, client, req));
    this.pid = child.pid;
    child.once('exit', (code) => {
      if (code !== 0)
        this.opts.log.warn({ code, stderr: stderr.slice(-500) }, 'the synthetic checks browser exited');
      if (this.pid === child.pid) {
        this.pid = undefined;
        this.host = undefined;
      }
      relay.close();
      relayServer.close();
      void defaultProxy.close();
      rmSync(tmp, { recursive: true, force: true });
      rmSync(sockets, { recursive: true, force: true });
    });
    this.opts.log.info({ executablePath, isolated: Boolean(isolation) }, 'synthetic checks browser started');
    return { child, wsEndpoint, relayPath, sockets };
  }

  /** Joins a runner's connection to the host's, screening what the runner sends. */
  private relayConnection(
    ws: WsModule['ws'],
    wsEndpoint: string,
    client: WsLike,
    req: { url?: string; headers: Record<string, unknown> },
  ): void {
    const run = this.runs.get((req.url ?? '').replace(/^\//, ''));
    if (!run) {
      client.close();
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if ((k.startsWith('x-playwright') || k === 'user-agent') && typeof v === 'string') headers[k] = v;
    }
    const upstream = new ws(wsEndpoint, { headers });
    run.sockets.add(client).add(upstream);
    const pending: string[] = [];
    upstream.on('open', () => {
      for (const m of pending.splice(0)) upstream.send(m);
    });
    upstream.on('message', (data) => client.readyState === 1 && client.send(data.toString()));
    client.on('message', (data) => {
      let message: ProtocolMessage;
      try {
        message = JSON.parse(data.toString()) as ProtocolMessage;
      } catch {
        return client.close();
      }
      const verdict = screen(message, run.proxyUrl);
      if ('refuse' in verdict) return client.send(refusal(message.id, verdict.refuse));
      const text = JSON.stringify(verdict.forward);
      if (upstream.readyState === 1) upstream.send(text);
      else pending.push(text);
    });
    const end = () => {
      client.terminate();
      upstream.terminate();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  }

  private runner(
    host: Host,
    isolation: Isolation | undefined,
    token: string,
    r: SyntheticRun,
    proxy: GuardProxy,
  ): Promise<SyntheticOutcome> {
    const runnerFile = childFile('runner');
    const codeDir = dirname(dirname(dirname(dirname(dirname(runnerFile)))));
    // A scratch directory, the runner's working directory: scripts written for @playwright/test
    // save screenshots (`page.screenshot({ path })`); they land here and are dropped after the run.
    const scratch = mkdtempSync(join(tmpdir(), 'vigil-run-'));
    const runnerUid = isolation?.ok ? isolation.owner('runner') : undefined;
    if (runnerUid !== undefined) chownSync(scratch, runnerUid, runnerUid);
    const argv = [
      process.execPath,
      ...permissionFlags({
        read: [
          dirname(runnerFile),
          join(codeDir, 'core', 'pw-compile.js'),
          `${this.playwrightDir}/`,
          `${scratch}/`,
        ],
        write: [`${scratch}/`],
      }),
      `--max-old-space-size=${RUNNER_MEMORY_MB}`,
      runnerFile,
    ];
    const [command, ...args] = isolation?.ok ? isolation.wrap(argv, 'runner') : argv;
    // No IPC channel: the request goes on stdin, and only stdout lines signed with the run's key
    // count. HOME, since the runner's user may have none (Playwright asks for one).
    const child = spawn(command as string, args, {
      cwd: scratch,
      env: { HOME: scratch },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const secret = randomBytes(24).toString('hex');
    this.runners.add(child);
    child.once('exit', () => rmSync(scratch, { recursive: true, force: true }));
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    let step: string | undefined;
    return new Promise<SyntheticOutcome>((resolve) => {
      let settled = false;
      const finish = (outcome: SyntheticOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        this.runners.delete(child);
        resolve(outcome);
      };
      const timer = setTimeout(
        () => finish({ kind: 'timeout', step, refused: proxy.refused }),
        Math.max(0, r.deadline - Date.now()),
      );
      const accept = (text: string) => {
        const space = text.indexOf(' ');
        const body = text.slice(space + 1);
        const mac = Buffer.from(text.slice(0, Math.max(0, space)), 'hex');
        const expected = createHmac('sha256', Buffer.from(secret, 'hex')).update(body).digest();
        // Not signed by the runner: the script's own output.
        if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return;
        let raw: unknown;
        try {
          raw = JSON.parse(body);
        } catch {
          raw = undefined;
        }
        // The runner hosts the script, so what it says is checked like any input.
        const m = runnerMessage.safeParse(raw);
        if (!m.success) {
          finish({
            kind: 'crashed',
            message: 'The script runner sent a malformed report.',
            refused: proxy.refused,
          });
        } else if ('step' in m.data) step = m.data.step;
        else finish({ kind: 'report', report: m.data.report as RunReport, refused: proxy.refused });
      };
      let pending = '';
      child.stdout?.on('data', (d: Buffer) => {
        const lines = (pending + d.toString()).split('\n');
        pending = lines.pop() ?? '';
        if (pending.length > MAX_OUTPUT_LINE) pending = '';
        for (const text of lines) accept(text);
      });
      // 'close', not 'exit': the last line on stdout may be read after the process has gone.
      child.once('close', (code, signal) => {
        const outOfMemory = /heap out of memory|Reached heap limit|allocation failed/i.test(stderr);
        if (!outOfMemory && stderr.trim())
          this.opts.log.warn(
            { code, signal, stderr: stderr.slice(-500) },
            'a synthetic script runner failed',
          );
        finish({
          kind: 'crashed',
          message: outOfMemory
            ? `The script ran out of memory (${RUNNER_MEMORY_MB} MB).`
            : `The script runner ended without a result (${signal ?? `exit ${code}`}).`,
          refused: proxy.refused,
        });
      });
      const request: RunRequest = {
        playwright: join(this.playwrightDir, 'index.mjs'),
        relay: host.relayPath,
        token,
        secret,
        script: r.script,
        variables: r.variables,
        baseURL: r.baseURL,
        timeoutMs: Math.max(1, r.deadline - Date.now()),
        screenshot: r.screenshot,
      };
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(JSON.stringify(request));
    });
  }
}
