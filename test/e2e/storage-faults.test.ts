/**
 * Storage faults on the built `vigil serve`: every PostgreSQL connection closed by the server,
 * several times under load; a read-only SQLite data directory; a full disk. The process keeps
 * running, every write it answered 2xx is stored, a write it could not store is answered 503
 * with the cause, and /healthz reports the fault and recovers by itself when the fault is gone.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { callJson, connect } from '../helpers/clients.js';
import { freshPostgresUrl, postgresAvailable } from '../helpers/postgres.js';
import { type RunningVigil, startVigil, tempDir, VIGIL_BIN } from '../helpers/vigil.js';

/** Root writes through permission bits: as root, the read-only cases run Vigil as `nobody`. */
const NOBODY = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
/**
 * Whether Vigil can run as that user here: not when this Node lives where only root may read
 * (CI's second run uses a Node unpacked under a private temporary directory).
 */
const RUNS_AS_NOBODY =
  !NOBODY ||
  spawnSync(process.execPath, [VIGIL_BIN, '--version'], { ...NOBODY, timeout: 30_000 }).status === 0;
/** A private mount namespace lets a test give Vigil a tiny file system without privileges. */
const CAN_UNSHARE = spawnSync('unshare', ['--map-root-user', '--mount', 'true']).status === 0;

/**
 * `vigil serve` as startVigil starts it, but as another user or under a wrapper command
 * (`wrapper` ends with the arguments it runs). Resolves once it listens, or with its exit.
 */
async function launch(
  env: Record<string, string>,
  opts: { user?: { uid: number; gid: number } | undefined; wrapper?: string[] } = {},
): Promise<RunningVigil & { exited: Promise<number | null> }> {
  const argv = [...(opts.wrapper ?? []), process.execPath, VIGIL_BIN, 'serve'];
  const child: ChildProcess = spawn(argv[0] as string, argv.slice(1), {
    env: { PATH: process.env.PATH ?? '', HTTP_PORT: '0', VIGIL_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...opts.user,
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = await Promise.race([
    new Promise<string>((resolve) => {
      const onData = () => {
        const m = /"mcp":"(http:\/\/[^"]+)\/mcp"/.exec(err);
        if (m?.[1]) {
          child.stderr?.off('data', onData);
          resolve(m[1]);
        }
      };
      child.stderr?.on('data', onData);
    }),
    exited.then(() => ''),
  ]);
  return {
    child,
    base,
    exited,
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

const health = async (base: string) => {
  const res = await fetch(`${base}/healthz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const ping = async (base: string, token: string, body: string) => {
  const res = await fetch(`${base}/ping/${token}`, { method: 'POST', body });
  return { status: res.status, text: await res.text() };
};
const trigger = async (base: string, key: string, dedupKey: string) => {
  const res = await fetch(`${base}/v2/enqueue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      routing_key: key,
      event_action: 'trigger',
      dedup_key: dedupKey,
      payload: { summary: `Event ${dedupKey}`, source: 'test', severity: 'error' },
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** A heartbeat's ping token and a service's integration key, made over MCP. */
async function seed(client: Client): Promise<{ token: string; key: string; heartbeatId: string }> {
  const hb = (
    await callJson(client, 'create_heartbeat', { heartbeat_data: { name: 'Backup', period_seconds: 3600 } })
  ).body.heartbeats[0];
  const service = (await callJson(client, 'create_service', { name: 'Database' })).body.services[0];
  return {
    token: /\/ping\/([A-Za-z0-9_-]+)$/.exec(hb.ping_url)?.[1] as string,
    key: service.integration_key,
    heartbeatId: hb.id,
  };
}

describe('PostgreSQL connections closed by the server under load', () => {
  it('no exit, every answered write stored, a refused one answered 503, /healthz 200 again', async ({
    skip,
  }) => {
    if (!(await postgresAvailable())) skip();
    const app = `vigil_e2e_${randomBytes(4).toString('hex')}`;
    const url = await freshPostgresUrl();
    const server = await startVigil({
      VIGIL_DATABASE_URL: `${url}&application_name=${app}`,
      VIGIL_MODE: 'read_write',
    });
    const client = await connect('http-modern', { base: server.base });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { token, key } = await seed(client);
      const answers: { kind: 'ping' | 'event' | 'mcp'; id: string; status: number; detail: string }[] = [];
      let loading = true;
      const pinger = async (w: number) => {
        for (let i = 0; loading; i++) {
          const r = await ping(server.base, token, `w${w}-${i}`);
          answers.push({ kind: 'ping', id: `w${w}-${i}`, status: r.status, detail: r.text });
        }
      };
      const eventer = async () => {
        for (let i = 0; loading; i++) {
          const r = await trigger(server.base, key, `e-${i}`);
          answers.push({ kind: 'event', id: `e-${i}`, status: r.status, detail: JSON.stringify(r.body) });
        }
      };
      const creator = async () => {
        for (let i = 0; loading; i++) {
          const id = `job-${i}`;
          try {
            const r = await callJson(client, 'create_heartbeat', {
              heartbeat_data: { name: id, period_seconds: 3600 },
            });
            // A tool that failed is an isError result (its message is the server's generic one).
            answers.push({ kind: 'mcp', id, status: r.isError ? -1 : 200, detail: JSON.stringify(r.body) });
          } catch (err) {
            // Refused before the tool ran (authenticating reads the store): the HTTP status.
            const status = (err as { data?: { status?: number } }).data?.status ?? 0;
            answers.push({ kind: 'mcp', id, status, detail: String(err) });
          }
        }
      };
      const workers = Promise.all([pinger(1), pinger(2), eventer(), creator()]);

      for (let round = 0; round < 5; round++) {
        const before = answers.length;
        await expect.poll(() => answers.length, { timeout: 15_000 }).toBeGreaterThan(before + 20);
        const { rows } = await admin.query<{ n: number }>(
          'select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()',
          [app],
        );
        expect(rows[0]?.n).toBeGreaterThan(0);
      }
      const afterLastKill = answers.length;
      await expect.poll(() => answers.length, { timeout: 15_000 }).toBeGreaterThan(afterLastKill + 20);
      loading = false;
      await workers;

      expect(server.child.exitCode).toBeNull();
      expect(server.stderr()).toContain('PostgreSQL connection lost; the pool opens a new one when needed');
      // Writes the server could not store are refused as unavailable, with why, never a 500.
      for (const a of answers.filter((a) => a.status !== 200 && a.status !== 202 && a.status !== -1)) {
        expect(a.status, a.detail).toBe(503);
        expect(a.detail).toMatch(/connection to PostgreSQL was lost/);
      }
      // Every write answered 2xx is in the store.
      const stored = async (q: string) => new Set((await admin.query<{ v: string }>(q)).rows.map((r) => r.v));
      const pings = await stored('select body as v from heartbeat_pings');
      const events = await stored('select incident_key as v from incidents');
      const heartbeats = await stored('select name as v from heartbeats');
      const lost = answers.filter(
        (a) =>
          (a.kind === 'ping' && a.status === 200 && !pings.has(a.id)) ||
          (a.kind === 'event' && a.status === 202 && !events.has(a.id)) ||
          (a.kind === 'mcp' && a.status === 200 && !heartbeats.has(a.id)),
      );
      expect(lost).toEqual([]);
      const ok = (a: { status: number }) => a.status === 200 || a.status === 202;
      expect(answers.filter(ok).length).toBeGreaterThan(100);
      // Writes go through after the last kill, and /healthz says so.
      expect(answers.slice(afterLastKill).some(ok)).toBe(true);
      expect(await health(server.base)).toMatchObject({ status: 200, body: { status: 'ok' } });
    } finally {
      await client.close();
      await server.stop();
      await admin.end();
    }
  }, 120_000);
});

describe.skipIf(!RUNS_AS_NOBODY)('a read-only SQLite data directory', () => {
  /** A data directory with a store that has a heartbeat and a service, owned by the user Vigil runs as. */
  async function seededDir() {
    const dataDir = tempDir();
    if (NOBODY) chownSync(dataDir, NOBODY.uid, NOBODY.gid);
    const server = await launch({ VIGIL_DATA_DIR: dataDir, VIGIL_MODE: 'read_write' }, { user: NOBODY });
    const client = await connect('http-modern', { base: server.base });
    const seeded = await seed(client);
    await client.close();
    expect(await server.stop()).toBe(0);
    return { dataDir, ...seeded };
  }

  it('starts, answers /healthz 503 naming the read-only database, and refuses pings and events with it', async () => {
    const { dataDir, token, key } = await seededDir();
    for (const file of readdirSync(dataDir)) chmodSync(join(dataDir, file), 0o444);
    const server = await launch({ VIGIL_DATA_DIR: dataDir, VIGIL_MODE: 'read_write' }, { user: NOBODY });
    try {
      expect(server.base, server.stderr()).not.toBe('');
      const h = await health(server.base);
      expect(h.status).toBe(503);
      expect(h.body).toMatchObject({ status: 'unavailable', store: 'sqlite' });
      expect(h.body.reason).toMatch(
        /^The SQLite database is read-only to Vigil.*\(SQLITE_READONLY: attempt to write a readonly database\)\.$/,
      );
      const p = await ping(server.base, token, 'nightly');
      expect(p.status).toBe(503);
      expect(p.text).toMatch(/^Ping not recorded: The SQLite database is read-only.*SQLITE_READONLY/);
      const e = await trigger(server.base, key, 'e-1');
      expect(e.status).toBe(503);
      expect(e.body).toMatchObject({
        status: 'unavailable',
        message: expect.stringMatching(
          /^Event not stored: The SQLite database is read-only.*SQLITE_READONLY/,
        ),
      });
      expect(server.child.exitCode).toBeNull();
      expect(server.stderr()).toContain('SQLITE_READONLY');
    } finally {
      await server.stop();
    }
  });

  it('does not start in a directory it may not write, and says why', async () => {
    const { dataDir } = await seededDir();
    for (const file of readdirSync(dataDir)) chmodSync(join(dataDir, file), 0o444);
    chmodSync(dataDir, 0o555);
    const server = await launch({ VIGIL_DATA_DIR: dataDir }, { user: NOBODY });
    // Refused before the database opens, in one line (issue 16), as every unusable data directory is.
    expect(await server.exited).toBe(2);
    expect(server.stderr()).toContain(
      `vigil: cannot use the data directory ${dataDir} (permission denied): set VIGIL_DATA_DIR or --data-dir`,
    );
    expect(server.stderr().trim().split('\n')).toHaveLength(1);
  });
});

describe('a full disk under SQLite', () => {
  it('answers 503 naming SQLITE_FULL (never "cannot rollback"), and recovers once there is room', async ({
    skip,
  }) => {
    if (!CAN_UNSHARE) skip();
    const dataDir = tempDir();
    // Vigil in its own mount namespace, with its data directory on a 6 MB tmpfs (the store takes
    // about 2 MB once migrated); the test grows it back through the same namespace.
    const server = await launch(
      { VIGIL_DATA_DIR: dataDir, VIGIL_MODE: 'read_write' },
      {
        wrapper: [
          'unshare',
          '--map-root-user',
          '--mount',
          'sh',
          '-c',
          'mount -t tmpfs -o size=6m tmpfs "$0" && exec "$@"',
          dataDir,
        ],
      },
    );
    const client = await connect('http-modern', { base: server.base });
    try {
      const { token, heartbeatId } = await seed(client);
      const body = 'x'.repeat(10 * 1024);
      let accepted = 0;
      let refused: { status: number; text: string } | undefined;
      for (let i = 0; i < 2_000 && !refused; i++) {
        const r = await ping(server.base, token, body);
        if (r.status === 200) accepted++;
        else refused = r;
      }
      expect(refused?.status, refused?.text).toBe(503);
      expect(refused?.text).toMatch(
        /^Ping not recorded: The disk holding the SQLite database is full \(SQLITE_FULL: database or disk is full\)/,
      );
      // The probe's one-row write may still fit where a 10 KB ping did not; each probe that fits
      // takes some of what is left.
      await expect.poll(async () => (await health(server.base)).status).toBe(503);
      expect((await health(server.base)).body.reason).toMatch(
        /^The disk holding the SQLite database is full \(SQLITE_FULL: database or disk is full\)\.$/,
      );
      expect(server.stderr()).toContain('database or disk is full');
      expect(server.stderr()).not.toContain('cannot rollback');

      // Room again: the same process takes writes, without a restart.
      execFileSync('nsenter', [
        '--target',
        String(server.child.pid),
        '--user',
        '--mount',
        '--preserve-credentials',
        'mount',
        '-o',
        'remount,size=64m',
        dataDir,
      ]);
      await expect.poll(async () => (await health(server.base)).status).toBe(200);
      expect((await ping(server.base, token, 'after')).status).toBe(200);
      // Every ping answered 200 is stored, and none that was refused.
      const logs = await callJson(client, 'get_heartbeat_logs', {
        heartbeat_id: heartbeatId,
        limit: 1000,
        include: ['id'],
      });
      expect(logs.body.pings).toHaveLength(accepted + 1);
      expect(server.child.exitCode).toBeNull();
    } finally {
      await client.close();
      await server.stop();
    }
  }, 120_000);
});
