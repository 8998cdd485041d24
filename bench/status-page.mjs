#!/usr/bin/env node
/**
 * The public status page under load: `GET /status/<subdomain>` (HTML) and
 * `GET /status/<subdomain>/api/v2/summary.json` on `vigil serve`, beside Node's bare HTTP server
 * answering fixed strings of the same sizes, measured in the same run. Targets: at least
 * 3,000 req/s for the page and 5,000 req/s for the JSON, p99 under 25 ms, at 50 connections.
 * Not part of `npm run bench` (about 2½ minutes on its own): `node bench/status-page.mjs`.
 *
 * Load: a closed loop of 50 requests in flight from this process (node:http with a keep-alive
 * Agent, one socket per loop), each a GET of the same URL. After `warmupS` of untimed load, the
 * answers in the next `seconds` give req/s and the latency percentiles. Only a 200 whose body has
 * the expected length counts; any other answer is counted apart.
 *
 * Servers, each freshly started for every repetition:
 * - Vigil (`dist/cli/main.js serve`, VIGIL_MODE=read_write, a fresh SQLite store) with one page
 *   made through MCP as an agent would (see `seedPage`): 10 components in 2 groups, an open
 *   incident with 3 updates, maintenance tomorrow, and 8 resolved incidents of history. The page
 *   and the JSON are measured one after the other on the same server.
 * - `bare`: this file, started with `serve`: a node:http server answering 200 with a fixed string
 *   as long as Vigil's page on `/page` and as long as its summary.json on `/json` (sizes passed
 *   in its `.env`, taken from the Vigil server of the same repetition).
 * Repetitions interleave the servers, so a noisy spell on the machine hits them alike.
 *
 * STATUS_CPU_PROF=1 instead runs Vigil once under `--cpu-prof` (page, then JSON; `page` or `json`
 * for one of them, 5 s each) and prints where its CPU went: self time by module, the hottest
 * functions, and time inside the main steps of a request. The seeding is in the profile too.
 *
 * Prints a markdown table and writes the raw numbers to bench/results/status-page.json.
 * BENCH_QUICK=1 shortens every stage, for checking the script. docs/BENCHMARKS.md section 11.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Agent, createServer, get } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  closedLoop,
  listenAsBaseline,
  loadCells,
  loadPlan,
  log,
  markdownTable,
  ratioCell,
  refusedTotal,
  unit,
  withServer,
} from './shared.mjs';

const SELF = fileURLToPath(import.meta.url);
const SUBDOMAIN = 'acme';
const TARGETS_PER_S = { page: 3_000, json: 5_000 };
const TARGET_P99_MS = 25;
const REQUESTS = unit('requests', 'Request');

// ---------------------------------------------------------------------------------------------
// The baseline server (`node bench/status-page.mjs serve`, cwd = its scratch directory).

function serveBaseline() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  // Fixed strings of the sizes Vigil answered; built once, as a bare server would.
  const bodies = {
    '/page': { type: 'text/html; charset=utf-8', body: 'x'.repeat(Number(process.env.BARE_PAGE_BYTES)) },
    '/json': {
      type: 'application/json; charset=utf-8',
      body: 'x'.repeat(Number(process.env.BARE_JSON_BYTES)),
    },
  };
  const server = createServer((req, res) => {
    const hit = bodies[req.url ?? ''];
    if (!hit) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': hit.type, 'content-length': String(hit.body.length) });
    res.end(hit.body);
  });
  listenAsBaseline(server);
}

// ---------------------------------------------------------------------------------------------
// The page under test.

/**
 * One status page through MCP, as an agent would make it: two groups of five components, an
 * open incident with 3 updates affecting two of them, maintenance tomorrow, and 8 resolved
 * incidents (2 updates each) as history.
 */
async function seedPage(mcpUrl) {
  const { call, withHttpClient } = await import('./lib.mjs');
  await withHttpClient(mcpUrl, async (client) => {
    await call(client, 'create_page', { name: 'Acme', subdomain: SUBDOMAIN, headline: 'Acme services' });
    const component = async (args) =>
      (await call(client, 'create_component', { page_id: SUBDOMAIN, ...args })).components[0].id;
    const components = [];
    for (const [group, names] of [
      ['Platform', ['API', 'Web app', 'Dashboard', 'Webhooks', 'Authentication']],
      ['Data', ['Primary database', 'Replicas', 'Search', 'Object storage', 'Backups']],
    ]) {
      const groupId = await component({ name: group, group: true });
      for (const name of names)
        components.push(await component({ name, group_id: groupId, description: `${name} (${group})` }));
    }
    const incident = async (args) =>
      (await call(client, 'create_incident', { page_id: SUBDOMAIN, ...args })).incidents[0].id;
    const update = (incidentId, status, body) =>
      call(client, 'add_incident_update', {
        page_id: SUBDOMAIN,
        incident_id: incidentId,
        update_data: { status, body },
      });
    for (let i = 0; i < 8; i++) {
      const id = await incident({
        name: `Past incident ${i + 1}: elevated error rates`,
        status: 'investigating',
        impact: i % 2 ? 'minor' : 'major',
        body: 'We are investigating elevated error rates on some requests.',
        components: { [components[i]]: 'partial_outage' },
      });
      await update(id, 'resolved', 'A fix has been deployed and error rates are back to normal.');
    }
    const open = await incident({
      name: 'Slow queries on the primary database',
      status: 'investigating',
      impact: 'minor',
      body: 'Some requests are slower than usual; we are investigating.',
      components: { [components[5]]: 'degraded_performance', [components[0]]: 'degraded_performance' },
    });
    await update(open, 'identified', 'A long-running migration holds locks on two tables.');
    await update(open, 'monitoring', 'The migration is paused; latency is recovering.');
    const start = new Date(Date.now() + 86_400_000);
    start.setUTCHours(2, 0, 0, 0);
    await incident({
      name: 'Database upgrade',
      status: 'scheduled',
      impact: 'none',
      body: 'PostgreSQL minor upgrade; writes pause for up to a minute.',
      scheduled_for: start.toISOString(),
      scheduled_until: new Date(start.getTime() + 7_200_000).toISOString(),
      components: { [components[5]]: 'under_maintenance' },
    });
  });
}

function fetchOnce(url, agent) {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      let bytes = 0;
      const chunks = [];
      res.on('data', (c) => {
        bytes += c.length;
        chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode, bytes, chunks }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** One GET outside the load, to check the answer and learn its size. */
async function probe(url) {
  const agent = new Agent({ keepAlive: false });
  const { status, bytes, chunks } = await fetchOnce(url, agent);
  const text = Buffer.concat(chunks).toString('utf8');
  if (status !== 200) throw new Error(`GET ${url}: ${status} ${text.slice(0, 300)}`);
  return { bytes, text };
}

// ---------------------------------------------------------------------------------------------
// The load generator.

/** One closed-loop run of GETs of `url` against a started server. */
function loadRun(url, pid, expectBytes, opts) {
  const attempt = async (agent) => {
    let answer;
    try {
      answer = await fetchOnce(url, agent);
    } catch (err) {
      return ['error', `GET ${url} failed: ${err.message}`];
    }
    if (answer.status === 200 && answer.bytes === expectBytes) return true;
    const key = answer.status === 200 ? 'size' : answer.status;
    return [key, `GET ${url}: ${answer.status}, ${answer.bytes} bytes (want ${expectBytes})`];
  };
  return closedLoop(pid, opts, REQUESTS, attempt, ({ refused }) => ({ bytes: expectBytes, refused }));
}

// ---------------------------------------------------------------------------------------------
// One repetition: Vigil (page, then JSON), then the bare server with the same sizes.

const vigilUrls = (mcpUrl) => ({
  page: new URL(`/status/${SUBDOMAIN}`, mcpUrl),
  json: new URL(`/status/${SUBDOMAIN}/api/v2/summary.json`, mcpUrl),
});

/** Vigil on a fresh store: seeds the page, then loads the page and the JSON in turn. */
async function vigilRun(opts, nodeArgs = [], only = undefined) {
  const { TARGETS } = await import('./lib.mjs');
  const start = { script: TARGETS.vigil.script, env: { VIGIL_MODE: 'read_write' }, nodeArgs };
  return withServer(start, async (server) => {
    await seedPage(server.url);
    const urls = vigilUrls(server.url);
    const page = await probe(urls.page);
    const json = await probe(urls.json);
    const summary = JSON.parse(json.text);
    if (summary.components.length !== 12 || summary.incidents.length !== 1)
      throw new Error(`unexpected summary: ${json.text.slice(0, 300)}`);
    return {
      page: only === 'json' ? undefined : await loadRun(urls.page, server.pid, page.bytes, opts),
      json: only === 'page' ? undefined : await loadRun(urls.json, server.pid, json.bytes, opts),
      sizes: { page: page.bytes, json: json.bytes },
    };
  });
}

async function bareRun(opts, sizes) {
  const env = { BARE_PAGE_BYTES: sizes.page, BARE_JSON_BYTES: sizes.json };
  return withServer({ script: SELF, env }, async (server) => ({
    page: await loadRun(new URL('/page', server.url), server.pid, sizes.page, opts),
    json: await loadRun(new URL('/json', server.url), server.pid, sizes.json, opts),
  }));
}

// ---------------------------------------------------------------------------------------------
// The whole benchmark.

async function main() {
  const { medians, pairedRatio, writeResults } = await import('./lib.mjs');
  const PLAN = loadPlan(50);
  const started = Date.now();
  const loadBefore = loadavg()[0];
  const reps = { vigilPage: [], barePage: [], vigilJson: [], bareJson: [] };
  let sizes;
  for (let rep = 0; rep < PLAN.reps; rep++) {
    log(
      `vigil rep ${rep + 1}/${PLAN.reps}: page then JSON, ${PLAN.clients} in flight for ${PLAN.seconds} s each`,
    );
    const v = await vigilRun(PLAN);
    sizes = v.sizes;
    log(`bare rep ${rep + 1}/${PLAN.reps}: ${sizes.page} and ${sizes.json} bytes`);
    const b = await bareRun(PLAN, sizes);
    reps.vigilPage.push(v.page);
    reps.vigilJson.push(v.json);
    reps.barePage.push(b.page);
    reps.bareJson.push(b.json);
  }
  const summary = {};
  for (const [name, list] of Object.entries(reps)) {
    const med = medians(list, REQUESTS.window);
    const base = name.startsWith('vigil') && reps[name.replace('vigil', 'bare')];
    const kind = name.endsWith('Page') ? 'page' : 'json';
    summary[name] = {
      ...med,
      bytes: list[0].bytes,
      refused: refusedTotal(list),
      // Ratios pair each run with the bare run of the same repetition.
      ...(base && { vsBare: pairedRatio(list, base, REQUESTS.rate) }),
      ...(base && {
        targetMet: med.requestsPerSecond >= TARGETS_PER_S[kind] && med.p99Ms < TARGET_P99_MS,
      }),
      reps: list,
    };
  }
  const results = writeResults('status-page.json', loadBefore, {
    plan: { ...PLAN, sizes, targets: { perSecond: TARGETS_PER_S, p99Ms: TARGET_P99_MS } },
    summary,
    durationS: (Date.now() - started) / 1000,
  });
  console.log(table(summary));
  const refused = Object.values(summary).reduce((n, s) => n + s.refused, 0);
  if (refused) log(`warning: ${refused} requests were not answered 200 with the expected body`);
  log(
    `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after; done in ${results.durationS.toFixed(0)} s; raw results in bench/results/status-page.json`,
  );
}

function table(summary) {
  const label = {
    vigilPage: 'Vigil, HTML page',
    barePage: 'bare, same size',
    vigilJson: 'Vigil, summary.json',
    bareJson: 'bare, same size',
  };
  const head = [
    '| Server | bytes | req/s | p50 | p99 | server CPU / req | server CPU | RSS | vs bare | target met | not 200 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
  ];
  const rows = Object.entries(summary).map(([name, s]) => [
    label[name],
    s.bytes,
    ...loadCells(s, REQUESTS),
    ratioCell(s.vsBare),
    s.targetMet === undefined ? '' : s.targetMet ? 'yes' : '**no**',
    s.refused,
  ]);
  return markdownTable(head, rows);
}

// ---------------------------------------------------------------------------------------------
// STATUS_CPU_PROF=1: where Vigil's CPU goes under the same load.

async function profile(only) {
  const { scratchDir } = await import('./lib.mjs');
  const prof = scratchDir();
  try {
    const plan = { clients: 50, warmupS: 1, seconds: 5 };
    const r = await vigilRun(plan, ['--cpu-prof', `--cpu-prof-dir=${prof.dir}`], only);
    for (const kind of ['page', 'json'])
      if (r[kind]) log(`${kind}: ${r[kind].requestsPerSecond.toFixed(0)} req/s under the profiler`);
    const file = readdirSync(prof.dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no .cpuprofile written');
    report(JSON.parse(readFileSync(join(prof.dir, file), 'utf8')));
  } finally {
    prof.remove();
  }
}

/** Self time by module and the hottest functions; and time spent inside the main steps. */
function report(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  for (const [i, id] of profile.samples.entries())
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const where = (f) => {
    if (!f.url) return f.functionName.startsWith('(') ? f.functionName : '(native)';
    const pkg = f.url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    if (pkg) return pkg[1];
    return f.url.match(/\/(dist\/.*)$/)?.[1] ?? (f.url.startsWith('node:') ? 'node internals' : f.url);
  };
  const modules = new Map();
  const fns = new Map();
  for (const [id, us] of selfUs) {
    const f = byId.get(id).callFrame;
    modules.set(where(f), (modules.get(where(f)) ?? 0) + us);
    const fn = `${f.functionName || '(anonymous)'} ${where(f)}:${f.lineNumber + 1}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us);
  }
  // Inclusive time of chosen functions (synchronous stacks only: awaited work that resumes later
  // is counted where it resumes).
  const steps = [
    'statusPage',
    'statuspageJson',
    'loadSnapshot',
    'listIncidents',
    'listComponents',
    'getPage',
    'executeQuery',
    'parse',
    'stringify',
    'writeHead',
  ];
  const inclusive = new Map(steps.map((s) => [s, 0]));
  const walk = (id, open) => {
    const node = byId.get(id);
    const name = node.callFrame.functionName;
    const entering = inclusive.has(name) && !open.has(name);
    const now = entering ? new Set([...open, name]) : open;
    for (const s of now) inclusive.set(s, inclusive.get(s) + (selfUs.get(id) ?? 0));
    for (const child of node.children ?? []) walk(child, now);
  };
  walk(profile.nodes[0].id, new Set());
  const print = (title, map, n) => {
    console.log(`\n${title}`);
    for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${pct(us)}  ${k}`);
  };
  print(`self time by module (${(total / 1000).toFixed(0)} ms sampled)`, modules, 15);
  print('hottest functions (self time)', fns, 25);
  print('time inside (inclusive, synchronous stacks)', inclusive, steps.length);
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === 'serve') serveBaseline();
  else if (process.env.STATUS_CPU_PROF) {
    const only = process.env.STATUS_CPU_PROF;
    await profile(only === 'page' || only === 'json' ? only : undefined);
  } else await main();
}
