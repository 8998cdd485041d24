#!/usr/bin/env node
/**
 * Escalation at scale: 1,000 incidents escalating at once, and how late their pages arrive.
 * Target: notification lateness p99 under 1 s, with the server's resident memory. Not part of
 * `npm run bench` (it takes several minutes): `node bench/escalation.mjs`.
 *
 * Each server kind is started afresh on a fresh store, with a `.env` in its scratch directory
 * (startHttp passes on no environment past the port and log level):
 * - Vigil (`dist/cli/main.js serve`, VIGIL_MODE=read_write) on SQLite, and on PostgreSQL in a
 *   fresh schema (dropped afterwards) when VIGIL_BENCH_PG_URL (default
 *   postgres://postgres@127.0.0.1:5432/test) answers. Through MCP it gets user A with a webhook
 *   at `<receiver>/l1`, user B with one at `<receiver>/l2`, a policy (level 1 → A for 1 minute,
 *   level 2 → B) and a service on that policy, whose integration key the events use.
 * - `baseline`: this file started with `serve`. It answers `POST /v2/enqueue` with 202, POSTs the
 *   level-1 page at once and sets one setTimeout per event for the level-2 page 60 s later, with
 *   node:http (keep-alive, 100 sockets). No storage: what Node's timers and HTTP achieve here.
 *
 * Load: `incidents` trigger events with unique dedup keys, 32 in flight, as fast as they are
 * answered. Each event's payload summary is its dedup key, and the pages carry it back as the
 * incident title. A webhook receiver in this process records when each page arrives.
 * Lateness: level 1 = arrival − the event's 202; level 2 = arrival − (202 + 60 s). The server
 * starts the clock before it answers, so both are understated by at most the 202's latency
 * (reported as `enqueueMaxMs`). A second reading puts the due times on the server's own clock:
 * when the store says each incident's escalation started (its level-1 delivery's created_at; for
 * the baseline, the time its pages carry), against Date.now() at arrival. The verdict takes the
 * worse of the two. A page that has not arrived by the timeout counts as missing
 * (infinitely late in the percentiles). Two pages for one incident at one level count as a
 * duplicate. The server's VmRSS is sampled every 500 ms from /proc; VmHWM is read at the end.
 *
 * Prints a markdown table and writes the raw numbers to bench/results/escalation.json.
 * BENCH_QUICK=1 → 100 incidents, for checking the script. ESCALATION_TIMEOUT_S (default 240)
 * is how long to wait for pages after the last 202. docs/BENCHMARKS.md section 6.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Agent, createServer } from 'node:http';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  listenAsBaseline,
  log,
  markdownTable,
  PG_URL,
  pgAnswers,
  post,
  sleep,
  storeRows,
  withServer,
} from './shared.mjs';

const SELF = fileURLToPath(import.meta.url);
const LEVEL_DELAY_MS = 60_000; // escalation_delay_in_minutes: 1, the smallest Vigil takes
const IN_FLIGHT = 32;
const SAMPLE_MS = 500;
const GRACE_MS = 6_000; // after the last expected page: more than one engine interval, for late duplicates
const TARGET_P99_MS = 1_000;

// ---------------------------------------------------------------------------------------------
// The baseline scheduler (`node bench/escalation.mjs serve`, cwd = its scratch directory).

function serveBaseline() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const receiver = process.env.ESCALATION_RECEIVER_URL;
  const agent = new Agent({ keepAlive: true, maxSockets: 100 });
  let number = 0;
  const page = (level, incident) => {
    const body = JSON.stringify({
      event: level === 1 ? 'incident.triggered' : 'incident.escalated',
      level,
      incident,
      sent_at: new Date().toISOString(),
    });
    post(new URL(`/l${level}`, receiver), agent, body).catch((err) =>
      process.stderr.write(`${JSON.stringify({ level: 50, msg: `baseline page failed: ${err.message}` })}\n`),
    );
  };
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const incident = {
      id: randomBytes(7).toString('hex'),
      incident_number: ++number,
      title: event.payload.summary,
      triggered_at: Date.now(), // level 1 is due now, level 2 60 s later (Vigil's store says the same)
    };
    const text = JSON.stringify({
      status: 'success',
      message: 'Event processed',
      dedup_key: event.dedup_key,
    });
    res.writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    page(1, incident);
    setTimeout(() => page(2, incident), LEVEL_DELAY_MS);
  });
  listenAsBaseline(server);
}

// ---------------------------------------------------------------------------------------------
// The webhook receiver: every POST's arrival time (taken when its headers are in) and body.

async function startReceiver() {
  let arrivals = [];
  const server = createServer((req, res) => {
    const at = performance.now();
    const wall = Date.now(); // the clock the server's due times are on
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      arrivals.push({ path: req.url, at, wall, body });
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', 2048, resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** The arrivals since the last call, and starts a new list. */
    take: () => {
      const out = arrivals;
      arrivals = [];
      return out;
    },
    peek: () => arrivals,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * Counts the server's warning and error lines, which lib.mjs's startHttp forwards to this
 * process's stderr (it offers no hook), by their pino message.
 */
function countServerLogs() {
  const write = process.stderr.write.bind(process.stderr);
  let counts = {};
  process.stderr.write = (chunk, ...rest) => {
    if (typeof chunk === 'string' && /"level":[456]0/.test(chunk)) {
      for (const line of chunk.split('\n')) {
        const msg = line.match(/"msg":"([^"]*)"/)?.[1];
        if (msg !== undefined) counts[msg] = (counts[msg] ?? 0) + 1;
      }
    }
    return write(chunk, ...rest);
  };
  return () => {
    const out = counts;
    counts = {};
    return out;
  };
}

// ---------------------------------------------------------------------------------------------
// One run: start a server on a fresh store, set up the pages, trigger, wait, measure.

// What the engine recorded: deliveries by level and status, and how many needed a retry.
const DELIVERIES_SQL = `select level, status, count(*) as n,
  sum(case when attempts > 1 then 1 else 0 end) as retried
  from deliveries group by level, status order by level, status`;
// When each incident's escalation started on the server's clock: its level-1 delivery was
// queued then, and that row's created_at is never updated. Level 2 is due 60 s later.
const STARTED_SQL = `select i.title, d.created_at from deliveries d
  join incidents i on i.id = d.incident_id where d.level = 0`;

/** Deliveries by level and status, and per incident (by title) when escalation started. */
async function storeReport(store) {
  const [rows, started] = await storeRows(store, 'vigil.db', [DELIVERIES_SQL, STARTED_SQL]);
  return {
    deliveries: rows.map((r) => ({
      level: Number(r.level) + 1,
      status: r.status,
      n: Number(r.n),
      retried: Number(r.retried),
    })),
    startedAt: new Map(started.map((r) => [r.title, Number(r.created_at)])),
  };
}

/** Users A and B, the two-level policy and its service, through MCP; returns the routing key. */
async function setUpPaging(mcpUrl, receiverUrl) {
  const { call, withHttpClient } = await import('./lib.mjs');
  return withHttpClient(mcpUrl, async (client) => {
    const user = async (name, path) =>
      (
        await call(client, 'create_user', {
          name,
          email: `${name.toLowerCase().replace(/\W/g, '-')}@example.com`,
          contact_methods: [{ type: 'webhook', address: `${receiverUrl}${path}` }],
        })
      ).users[0].id;
    const a = await user('Level One', '/l1');
    const b = await user('Level Two', '/l2');
    const policy = await call(client, 'create_escalation_policy', {
      name: 'Bench escalation',
      escalation_rules: [
        {
          escalation_delay_in_minutes: LEVEL_DELAY_MS / 60_000,
          targets: [{ id: a, type: 'user_reference' }],
        },
        { escalation_delay_in_minutes: 1, targets: [{ id: b, type: 'user_reference' }] },
      ],
    });
    const service = await call(client, 'create_service', {
      name: 'Bench escalation service',
      escalation_policy_id: policy.escalation_policies[0].id,
    });
    return service.services[0].integration_key;
  });
}

/**
 * Sends one trigger per key, IN_FLIGHT at a time. Returns, per key, when it was sent and when its
 * 202 came back (performance.now()), and the answers that were not a 202.
 */
async function triggerAll(url, routingKey, keys) {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const sent = new Map();
  const accepted = new Map();
  const refused = {};
  let next = 0;
  const loop = async () => {
    while (next < keys.length) {
      const key = keys[next++];
      const body = JSON.stringify({
        routing_key: routingKey,
        event_action: 'trigger',
        dedup_key: key,
        payload: { summary: key, source: 'escalation-bench', severity: 'critical' },
      });
      sent.set(key, performance.now());
      try {
        const answer = await post(url, agent, body);
        if (answer.status === 202) accepted.set(key, performance.now());
        else {
          if (!refused[answer.status]) log(`${answer.status} ${answer.text.slice(0, 300)}`);
          refused[answer.status] = (refused[answer.status] ?? 0) + 1;
        }
      } catch (err) {
        if (!refused.error) log(`POST ${url} failed: ${err.message}`);
        refused.error = (refused.error ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, loop));
  agent.destroy();
  return { sent, accepted, refused };
}

/**
 * Groups the pages by incident (its dedup key) and level, in arrival order; counts pages for no
 * incident of this run, and pages whose body names another level than their path.
 */
function groupPages(accepted, arrivals) {
  const pages = { 1: new Map(), 2: new Map() };
  let unknown = 0;
  let wrongLevel = 0;
  for (const a of arrivals) {
    const level = a.path === '/l1' ? 1 : a.path === '/l2' ? 2 : undefined;
    const key = a.body?.incident?.title;
    if (!level || !accepted.has(key)) {
      unknown++;
      continue;
    }
    if (a.body.level !== level) wrongLevel++;
    const list = pages[level].get(key) ?? [];
    list.push(a);
    pages[level].set(key, list);
  }
  return { pages, unknown, wrongLevel };
}

/**
 * Lateness of each accepted incident's first page at `level`: `arrival(page) − due(key)`, or
 * Infinity when it never came.
 */
function latenessOf(accepted, pagesAtLevel, due, arrival) {
  return [...accepted.keys()].map((key) => {
    const first = pagesAtLevel.get(key)?.[0];
    const dueAt = due(key);
    return first && dueAt !== undefined ? arrival(first) - dueAt : Number.POSITIVE_INFINITY;
  });
}

async function escalationRun(kind, opts) {
  const { count, pgUrl, receiver, timeoutS, serverLogs } = opts;
  const { cpuMs, memoryMb, percentile, TARGETS } = await import('./lib.mjs');
  const isVigil = kind.startsWith('vigil');
  const start = {
    script: isVigil ? TARGETS.vigil.script : SELF,
    env: isVigil ? { VIGIL_MODE: 'read_write' } : { ESCALATION_RECEIVER_URL: receiver.url },
    pgUrl: kind === 'vigilPostgres' ? pgUrl : undefined,
  };
  return withServer(start, async (server, store) => {
    let sampler;
    try {
      const { pid } = server;
      const rssSamples = [];
      const sample = () => rssSamples.push({ t: performance.now(), rssMb: memoryMb(pid).rss });
      sample();
      sampler = setInterval(sample, SAMPLE_MS);
      const routingKey = isVigil
        ? await setUpPaging(server.url, receiver.url)
        : randomBytes(16).toString('hex');
      receiver.take();
      serverLogs();
      const cpu0 = cpuMs(pid);

      const tag = randomBytes(4).toString('hex');
      const keys = Array.from({ length: count }, (_, i) => `esc-${tag}-${i}`);
      const t0 = performance.now();
      const { sent, accepted, refused } = await triggerAll(
        new URL('/v2/enqueue', server.url),
        routingKey,
        keys,
      );
      const tLast = Math.max(...accepted.values());
      log(`${kind}: ${accepted.size} of ${count} triggers accepted in ${((tLast - t0) / 1000).toFixed(1)} s`);

      // Wait for every page (2 per accepted incident), then a grace period for late duplicates.
      const expected = new Set([...accepted.keys()].flatMap((k) => [`/l1 ${k}`, `/l2 ${k}`]));
      const deadline = tLast + timeoutS * 1000;
      const seen = new Set();
      let scanned = 0;
      let lastReport = 0;
      while (performance.now() < deadline) {
        const arrivals = receiver.peek();
        for (; scanned < arrivals.length; scanned++) {
          const a = arrivals[scanned];
          const id = `${a.path} ${a.body?.incident?.title}`;
          if (expected.has(id)) seen.add(id);
        }
        if (seen.size === expected.size) break;
        if (performance.now() - lastReport > 15_000) {
          lastReport = performance.now();
          log(
            `${kind}: ${seen.size} of ${expected.size} pages after ${((lastReport - t0) / 1000).toFixed(0)} s`,
          );
        }
        await sleep(100);
      }
      const complete = seen.size === expected.size;
      if (complete) await sleep(GRACE_MS);
      else log(`${kind}: timed out with ${seen.size} of ${expected.size} pages`);
      const tEnd = performance.now();
      const arrivals = receiver.take();
      clearInterval(sampler);
      sample();
      const memory = memoryMb(pid);
      const serverCpuMs = cpuMs(pid) - cpu0;
      await server.stop();
      const { pages, unknown, wrongLevel } = groupPages(accepted, arrivals);
      // Due times on the server's clock: from the store (Vigil), or as the baseline's pages say.
      const { deliveries, startedAt } = isVigil
        ? await storeReport(store)
        : {
            deliveries: null,
            startedAt: new Map([...pages[1]].map(([k, [a]]) => [k, a.body.incident.triggered_at])),
          };
      const stats = (values) => {
        const sorted = Float64Array.from(values).sort();
        return {
          p50Ms: percentile(sorted, 50),
          p90Ms: percentile(sorted, 90),
          p99Ms: percentile(sorted, 99),
          maxMs: sorted[sorted.length - 1],
        };
      };
      const level = (n) => {
        const delay = n === 2 ? LEVEL_DELAY_MS : 0;
        const latenessMs = latenessOf(
          accepted,
          pages[n],
          (k) => accepted.get(k) + delay,
          (a) => a.at,
        );
        const exactMs = latenessOf(
          accepted,
          pages[n],
          (k) => (startedAt.has(k) ? startedAt.get(k) + delay : undefined),
          (a) => a.wall,
        );
        return {
          expected: accepted.size,
          received: pages[n].size,
          duplicates: [...pages[n].values()].filter((list) => list.length > 1).length,
          ...stats(latenessMs),
          serverClock: stats(exactMs),
          latenessMs,
          serverClockLatenessMs: exactMs,
        };
      };
      const enqueueMs = [...accepted].map(([k, at]) => at - sent.get(k)).sort((a, b) => a - b);
      const peakSampledMb = Math.max(...rssSamples.map((s) => s.rssMb));
      return {
        kind,
        incidents: count,
        accepted: accepted.size,
        refused,
        triggerSeconds: (tLast - t0) / 1000,
        enqueueP50Ms: percentile(enqueueMs, 50),
        enqueueMaxMs: enqueueMs[enqueueMs.length - 1],
        complete,
        waitedSeconds: (tEnd - tLast) / 1000,
        level1: level(1),
        level2: level(2),
        unknownPages: unknown,
        wrongLevelPages: wrongLevel,
        rssPeakSampledMb: peakSampledMb,
        rssFinalMb: memory.rss,
        vmHwmMb: memory.peak,
        serverCpuSeconds: serverCpuMs / 1000,
        serverLogs: serverLogs(),
        deliveries,
        rssSamples: rssSamples.map((s) => ({ s: +((s.t - t0) / 1000).toFixed(1), mb: +s.rssMb.toFixed(1) })),
      };
    } finally {
      clearInterval(sampler);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The whole benchmark.

async function main() {
  const { TARGETS, writeResults } = await import('./lib.mjs');
  if (!existsSync(TARGETS.vigil.script)) {
    log('dist/ is missing; run `npm run build` first.');
    process.exit(2);
  }
  const QUICK = process.env.BENCH_QUICK === '1';
  const count = QUICK ? 100 : 1000;
  const timeoutS = Number(process.env.ESCALATION_TIMEOUT_S ?? 240);
  const pgUrl = PG_URL;
  const started = Date.now();
  const loadBefore = loadavg()[0];
  const withPg = await pgAnswers(pgUrl);
  const receiver = await startReceiver();
  const serverLogs = countServerLogs();
  const runs = {};
  try {
    for (const kind of ['baseline', 'vigilSqlite', ...(withPg ? ['vigilPostgres'] : [])]) {
      log(`${kind}: ${count} incidents, ${IN_FLIGHT} triggers in flight`);
      runs[kind] = await escalationRun(kind, { count, pgUrl, receiver, timeoutS, serverLogs });
    }
  } finally {
    await receiver.close();
  }
  const results = writeResults('escalation.json', loadBefore, {
    plan: {
      incidents: count,
      inFlight: IN_FLIGHT,
      levelDelayMs: LEVEL_DELAY_MS,
      timeoutS,
      pg: withPg ? pgUrl : null,
    },
    runs,
    durationS: (Date.now() - started) / 1000,
  });
  console.log(table(runs));
  for (const [kind, r] of Object.entries(runs)) {
    const problems = [
      r.level1.duplicates + r.level2.duplicates &&
        `${r.level1.duplicates + r.level2.duplicates} duplicate pages`,
      r.unknownPages && `${r.unknownPages} pages for no incident of this run`,
      r.wrongLevelPages && `${r.wrongLevelPages} pages with the wrong level`,
      Object.keys(r.refused).length && `triggers refused: ${JSON.stringify(r.refused)}`,
      Object.keys(r.serverLogs).length && `server warnings/errors: ${JSON.stringify(r.serverLogs)}`,
    ].filter(Boolean);
    if (problems.length) log(`warning: ${kind}: ${problems.join('; ')}`);
  }
  log(`done in ${results.durationS.toFixed(0)} s; raw results in bench/results/escalation.json`);
}

function table(runs) {
  const time = (ms) =>
    ms === Number.POSITIVE_INFINITY
      ? 'missing'
      : ms < 1000
        ? `${ms.toFixed(0)} ms`
        : `${(ms / 1000).toFixed(1)} s`;
  const head = [
    '| Server | L1 p50 | L1 p90 | L1 p99 | L1 max | L2 p50 | L2 p90 | L2 p99 | L2 max | p99 by server clock (L1 / L2) | pages received | duplicates | RSS peak (sampled / VmHWM) | RSS final | p99 < 1 s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  const rows = Object.entries(runs).map(([kind, r]) => {
    const { level1: l1, level2: l2 } = r;
    const met = Math.max(l1.p99Ms, l2.p99Ms, l1.serverClock.p99Ms, l2.serverClock.p99Ms) < TARGET_P99_MS;
    return [
      kind,
      ...[l1, l2].flatMap((l) => [time(l.p50Ms), time(l.p90Ms), time(l.p99Ms), time(l.maxMs)]),
      `${time(l1.serverClock.p99Ms)} / ${time(l2.serverClock.p99Ms)}`,
      `${l1.received + l2.received} / ${l1.expected + l2.expected}`,
      l1.duplicates + l2.duplicates,
      `${r.rssPeakSampledMb.toFixed(0)} / ${r.vmHwmMb.toFixed(0)} MB`,
      `${r.rssFinalMb.toFixed(0)} MB`,
      kind === 'baseline' ? '' : met ? 'yes' : '**no**',
    ];
  });
  return markdownTable(head, rows);
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === 'serve') serveBaseline();
  else await main();
}
