#!/usr/bin/env node
/**
 * Paging fan-out: 1,000 incidents triggered at once, each paging a user with three contact
 * methods on different channels (Discord, ntfy, and SMS through Twilio), against loopback fakes
 * of those services. Target: from the trigger to the first delivery attempt of each incident,
 * p99 under 2 s, and every delivery made. Not part of `npm run bench`:
 * `node bench/paging-fanout.mjs` (needs a build). docs/BENCHMARKS.md section 15.
 *
 * - The fakes (`node bench/paging-fanout.mjs serve`) run in a process of their own: one loopback
 *   server answering as Discord's webhook (200 with `?wait=true`), ntfy's JSON publishing (200)
 *   and Twilio's Messages resource (201), recording when each request arrives (wall clock, ms)
 *   and for which incident (the `fanout-<n>` in the title each message carries).
 * - Vigil: the embedded engine in this process on a fresh SQLite store, its runner started as
 *   `vigil serve` starts it, Twilio's settings pointing at the fake. Seeded through its ports:
 *   1,000 users, each with the three methods, an escalation policy paging them and a service on
 *   it. Then all 1,000 Events API triggers are made at once (`ingest`, as `POST /v2/enqueue`
 *   calls it), each timed from just before its call.
 * - `baseline`: the same fakes and the same 3,000 requests made by plain Node at trigger time (a
 *   keep-alive agent with 100 sockets, as the outbox sends 100 at once), no store: what the HTTP
 *   itself costs on this machine.
 *
 * Latency per incident = its first request's arrival − its trigger. "Made" counts the requests
 * the fakes received (and, for Vigil, the deliveries the store records as delivered). Prints a
 * markdown table and writes bench/results/paging-fanout.json. BENCH_QUICK=1 → 100 incidents.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log, markdownTable, post, sleep } from './shared.mjs';

const SELF = fileURLToPath(import.meta.url);
const INCIDENTS = process.env.BENCH_QUICK === '1' ? 100 : 1000;
const CHANNELS = 3;
const TARGET_P99_MS = 2000;
const TIMEOUT_MS = 60_000;
const SID = `AC${'0123456789abcdef'.repeat(2)}`;

// ---------------------------------------------------------------------------------------------
// The fakes (`node bench/paging-fanout.mjs serve`): prints its port, serves until killed.

function serveFakes() {
  let arrivals = [];
  const server = createServer((req, res) => {
    const at = Date.now();
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/arrivals') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(arrivals));
        return;
      }
      if (req.method === 'DELETE' && req.url === '/arrivals') {
        arrivals = [];
        res.writeHead(204).end();
        return;
      }
      const text = decodeURIComponent(Buffer.concat(chunks).toString('utf8').replace(/\+/g, ' '));
      const incident = Number(/fanout-(\d+)/.exec(text)?.[1] ?? -1);
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      if (path.startsWith('/api/webhooks/')) {
        arrivals.push({ incident, channel: 'discord', at });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"1","type":0}');
      } else if (path === '/') {
        arrivals.push({ incident, channel: 'ntfy', at });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"x","event":"message"}');
      } else if (path === `/2010-04-01/Accounts/${SID}/Messages.json`) {
        arrivals.push({ incident, channel: 'sms', at });
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"sid":"SM0","status":"queued"}');
      } else {
        res.writeHead(404).end();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
}

/** Starts the fakes in their own process; resolves with their base URL and a stop function. */
function startFakes() {
  const child = spawn(process.execPath, [SELF, 'serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  process.on('exit', () => child.kill());
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (d) => resolve({ base: `http://127.0.0.1:${String(d).trim()}`, child }));
  });
}

function getJson(url, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve(text ? JSON.parse(text) : undefined);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Waits until the fakes hold `expected` requests (or the timeout); answers them. */
async function arrivalsOf(base, expected) {
  const until = Date.now() + TIMEOUT_MS;
  for (;;) {
    const list = await getJson(`${base}/arrivals`);
    if (list.length >= expected || Date.now() > until) return list;
    await sleep(200);
  }
}

/** p50, p99 and max of the latency from each incident's trigger to its first arrival; missing ones count as infinite. */
function summarise(triggeredAt, arrivals) {
  const first = new Map();
  const perIncident = new Map();
  for (const a of arrivals) {
    if (a.incident < 0) continue;
    first.set(a.incident, Math.min(first.get(a.incident) ?? Number.POSITIVE_INFINITY, a.at));
    perIncident.set(a.incident, (perIncident.get(a.incident) ?? 0) + 1);
  }
  const lat = triggeredAt
    .map((t, i) => (first.has(i) ? first.get(i) - t : Number.POSITIVE_INFINITY))
    .sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  return {
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    maxMs: lat[lat.length - 1],
    requests: arrivals.length,
    incidentsReached: first.size,
    incidentsFullyReached: [...perIncident.values()].filter((n) => n >= CHANNELS).length,
  };
}

// ---------------------------------------------------------------------------------------------
// The baseline: plain Node making the same requests at trigger time.

async function runBaseline(base) {
  const agent = new Agent({ keepAlive: true, maxSockets: 100 });
  const triggeredAt = [];
  const sends = [];
  for (let i = 0; i < INCIDENTS; i++) {
    triggeredAt.push(Date.now());
    const title = `[#${i + 1}] Disk full fanout-${i}`;
    sends.push(
      post(`${base}/api/webhooks/1/t?wait=true`, agent, JSON.stringify({ embeds: [{ title }] })),
      post(`${base}/`, agent, JSON.stringify({ topic: 'ops', title })),
      post(
        `${base}/2010-04-01/Accounts/${SID}/Messages.json`,
        agent,
        new URLSearchParams({ To: '+14155550123', From: '+14155550100', Body: title }).toString(),
        'application/x-www-form-urlencoded',
      ),
    );
  }
  await Promise.all(sends);
  agent.destroy();
  return summarise(triggeredAt, await arrivalsOf(base, INCIDENTS * CHANNELS));
}

// ---------------------------------------------------------------------------------------------
// Vigil: the embedded engine, in this process.

async function runVigil(base) {
  const { silentLogger } = await import('../dist/core/log.js');
  const { createEmbeddedProvider } = await import('../dist/providers/embedded/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-fanout-'));
  const p = await createEmbeddedProvider({
    dataDir: dir,
    log: silentLogger(),
    notify: { twilio: { apiUrl: base, accountSid: SID, authToken: 'token', from: '+14155550100' } },
  });
  try {
    const { directory, escalation } = p.ports;
    const keys = [];
    const seedStart = Date.now();
    for (let i = 0; i < INCIDENTS; i++) {
      const user = await directory.createUser({
        name: `User ${i}`,
        email: `user${i}@example.com`,
        contact_methods: [
          { type: 'discord', address: `${base}/api/webhooks/${1000 + i}/tok${i}` },
          { type: 'ntfy', address: `${base}/ops-${i}` },
          { type: 'sms', address: '+14155550123' },
        ],
      });
      const policy = await escalation.createPolicy({
        name: `Policy ${i}`,
        escalation_rules: [
          { escalation_delay_in_minutes: 30, targets: [{ id: user.id, type: 'user_reference' }] },
        ],
      });
      keys.push(
        (await directory.createService({ name: `Service ${i}`, escalation_policy_id: policy.id }))
          .integration_key,
      );
    }
    log(`seeded ${INCIDENTS} users, policies and services in ${Date.now() - seedStart} ms`);
    p.runner.start();
    await sleep(500);
    const triggeredAt = [];
    const answers = await Promise.all(
      keys.map((routing_key, i) => {
        triggeredAt.push(Date.now());
        return p.ingest({
          routing_key,
          event_action: 'trigger',
          payload: { summary: `Disk full fanout-${i}`, source: 'bench', severity: 'critical' },
          links: [],
          images: [],
        });
      }),
    );
    const accepted = answers.filter((a) => a.status === 202).length;
    const summary = summarise(triggeredAt, await arrivalsOf(base, INCIDENTS * CHANNELS));
    const delivered = await p.db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'delivered')
      .executeTakeFirst();
    return { ...summary, accepted, deliveredInStore: Number(delivered?.n ?? 0) };
  } finally {
    await p.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

if (process.argv[2] === 'serve') {
  serveFakes();
} else {
  const { base, child } = await startFakes();
  try {
    log(`baseline: ${INCIDENTS} incidents × ${CHANNELS} requests`);
    const baseline = await runBaseline(base);
    await getJson(`${base}/arrivals`, 'DELETE');
    log(`vigil: ${INCIDENTS} incidents × ${CHANNELS} contact methods`);
    const vigil = await runVigil(base);
    const ms = (v) => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : 'missing');
    const row = (name, s, inStore) => [
      name,
      ms(s.p50Ms),
      ms(s.p99Ms),
      ms(s.maxMs),
      `${s.requests} / ${INCIDENTS * CHANNELS}`,
      inStore,
    ];
    const table = markdownTable(
      [
        '| Run | First attempt p50 | p99 | max | Requests received | Delivered (store) |',
        '|---|---:|---:|---:|---:|---:|',
      ],
      [
        row('baseline (plain Node, no store)', baseline, '—'),
        row('Vigil (SQLite)', vigil, String(vigil.deliveredInStore)),
      ],
    );
    process.stdout.write(`${table}\n`);
    const met = vigil.p99Ms < TARGET_P99_MS && vigil.deliveredInStore === INCIDENTS * CHANNELS;
    process.stdout.write(
      `\ntarget p99 < ${TARGET_P99_MS} ms and all ${INCIDENTS * CHANNELS} delivered: ${met ? 'met' : 'NOT met'}\n`,
    );
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
    writeFileSync(
      new URL('./results/paging-fanout.json', import.meta.url),
      `${JSON.stringify({ incidents: INCIDENTS, channels: CHANNELS, baseline, vigil }, null, 2)}\n`,
    );
  } finally {
    child.kill();
  }
}
