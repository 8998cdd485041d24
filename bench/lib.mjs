/**
 * Shared benchmark plumbing: the two servers under test, starting them over stdio or HTTP,
 * seeding Vigil's store, reading a server process's memory and CPU time from /proc, the
 * statistics over repetitions, and writing a benchmark's results.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The servers under test, and the call each one is timed on. */
export const TARGETS = {
  vigil: {
    script: join(ROOT, 'dist/cli/main.js'),
    tool: 'get_users',
    args: (seed) => ({ current_user_context: false, team_ids: [seed.teamId] }),
  },
  baseline: {
    script: join(ROOT, 'bench/baseline-server.mjs'),
    tool: 'echo',
    args: () => ({ x: 1 }),
  },
};

export const SEED_USERS = 10;

/** A scratch directory: Vigil's store, and the servers' cwd (so no stray `.env` is read). */
export function scratchDir() {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function serverEnv(dataDir, extra = {}) {
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (/^(VIGIL_|HTTP_|TRANSPORT_MODE|PINGERA_)/.test(key)) delete env[key];
  return { ...env, VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: 'warn', ...extra };
}

/** Spawns a server over stdio and connects a client; `pid` is the server process. */
export async function startStdio(target, dataDir, extraEnv = {}, nodeArgs = []) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...nodeArgs, target.script],
    env: serverEnv(dataDir, extraEnv),
    cwd: dataDir,
    stderr: 'inherit',
  });
  const client = new Client({ name: 'vigil-bench', version: '1' });
  await client.connect(transport);
  return { client, pid: transport.pid, close: () => client.close() };
}

// HTTP servers still running, killed if the benchmark itself is interrupted or fails.
const live = new Set();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

/**
 * Spawns `<script> serve` on a free loopback port; resolves once it logs its MCP URL (Vigil logs
 * that line at info level, and nothing per request at info).
 */
export function startHttp(target, dataDir, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, target.script, 'serve'], {
    env: serverEnv(dataDir, { HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', VIGIL_LOG_LEVEL: 'info' }),
    cwd: dataDir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk) => {
      buffered += chunk;
      const match = buffered.match(/"mcp":"(http:[^"]+)"/);
      if (!match) return;
      child.stderr.off('data', onData);
      // From here on only warnings and errors (pino levels 40+) are worth showing.
      child.stderr.on('data', (more) => {
        for (const line of more.split('\n'))
          if (/"level":[456]0/.test(line)) process.stderr.write(`${line}\n`);
      });
      resolve({
        url: new URL(match[1]),
        pid: child.pid,
        stop: () =>
          new Promise((done) => {
            child.once('exit', done);
            child.kill('SIGTERM');
          }),
      });
    };
    child.stderr.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => reject(new Error(`${target.script} serve exited (${code}): ${buffered}`)));
  });
}

/** Structured result of a tool call, failing loudly on an error result. */
export async function call(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name} failed: ${result.content?.[0]?.text}`);
  return result.structuredContent ?? result;
}

/** Runs `fn(client)` with an MCP client connected over Streamable HTTP to `url`; closes it after. */
export async function withHttpClient(url, fn) {
  const client = new Client({ name: 'vigil-bench', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(url));
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Seeds `dataDir` with SEED_USERS users in one team, through Vigil's own write tools. */
export async function seedVigil(dataDir) {
  const server = await startStdio(TARGETS.vigil, dataDir, { VIGIL_MODE: 'read_write' });
  try {
    const ids = [];
    for (let i = 0; i < SEED_USERS; i++) {
      const out = await call(server.client, 'create_user', {
        name: `Bench User ${i}`,
        email: `bench${i}@example.com`,
      });
      ids.push(out.users[0].id);
    }
    const team = await call(server.client, 'create_team', { name: 'Bench Team', member_ids: ids });
    const teamId = team.teams[0].id;
    const read = await call(server.client, TARGETS.vigil.tool, TARGETS.vigil.args({ teamId }));
    if (read.users.length !== SEED_USERS) throw new Error(`seed check: ${read.users.length} users`);
    return { teamId };
  } finally {
    await server.close();
  }
}

/**
 * A copy of a seeded store with one read-only API key, for HTTP runs that authenticate (once a
 * key exists, Vigil refuses anonymous requests). Returns the copy and the key.
 */
export function keyedCopy(dataDir) {
  const copy = scratchDir();
  cpSync(dataDir, copy.dir, { recursive: true });
  const out = execFileSync(process.execPath, [TARGETS.vigil.script, 'keys', 'create', '--name', 'bench'], {
    env: serverEnv(copy.dir),
    cwd: copy.dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const key = out.match(/vgl_[0-9a-f]{12}_[A-Za-z0-9_-]{32}/)?.[0];
  if (!key) throw new Error(`vigil keys create printed no key: ${out}`);
  return { ...copy, key };
}

/** VmRSS and VmHWM (peak) of a process, in MB. */
export function memoryMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(status.match(new RegExp(`${field}:\\s+(\\d+) kB`))?.[1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** User + system CPU time a process has used, in ms (Linux clock ticks are 10 ms). */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The median of each of `keys` over a server's repetitions. */
export function medians(list, keys) {
  return Object.fromEntries(keys.map((key) => [key, median(list.map((r) => r[key]))]));
}

/**
 * The median of `key`'s ratios between runs and the base's runs of the same repetition: pairing
 * them keeps a noisy spell on the machine, which hits both, out of the ratio.
 */
export function pairedRatio(list, baseList, key) {
  return median(list.map((r, i) => r[key] / baseList[i][key]));
}

/**
 * Writes a benchmark's results to bench/results/`file`, after when and on what they were taken:
 * the commit, when dist/ was built (the numbers belong to that build, which may be older than
 * the checked-out source), and the machine with its load average before the run and now (other
 * work on the machine). Returns what it wrote.
 */
export function writeResults(file, loadBefore, fields) {
  const results = {
    date: new Date().toISOString(),
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
    distBuiltAt: statSync(TARGETS.vigil.script).mtime.toISOString(),
    machine: {
      cpus: cpus().length,
      node: process.version,
      loadAverage1m: { before: loadBefore, after: loadavg()[0] },
    },
    ...fields,
  };
  const dir = new URL('results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(file, dir), `${JSON.stringify(results, null, 2)}\n`);
  return results;
}
