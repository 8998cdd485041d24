#!/usr/bin/env node
/**
 * Checks shared across nodes: one load of checks run by one, two and three `vigil serve`
 * processes on one PostgreSQL database, in the same run, and the failover when one of three is
 * killed. Targets: the engine's CPU per check run does not grow with the node count; three
 * nodes keep lag p99 under 1 s at the load one node holds; a killed node's checks run elsewhere
 * within 10 s. Not part of `npm run bench` (about 12 minutes): `node bench/nodes.mjs`.
 *
 * - Targets: `bench/checks.mjs targets` in a child process of its own (an HTTP server answering
 *   200 and a TCP server closing each connection, on loopback), as in the checks benchmark.
 * - Per node count, a fresh schema of PG_URL (VIGIL_BENCH_PG_URL) and that many `dist/cli/main.js
 *   serve` processes on it (VIGIL_MODE=read_write, Vigil's default check concurrency, log level
 *   debug for the claim lines below; each process on a port of its own). Once they all run,
 *   CHECKS rows (half `web`, half `tcp`, interval 60 s) are written straight into `checks`, as
 *   CheckRepository.createCheck writes them, first due LEAD_S later and spread evenly over the
 *   minute from there.
 * - Lag: a run's start (`created_at − response_time` of its result) − its due time, rebuilt per
 *   check from the first by the scheduler's rule (as bench/checks.mjs does). Over the runs due
 *   in the window: MINUTES after a first minute (WARMUP_S) in which every check's first run
 *   changes its status from `pending`, which is not measured; each count runs TAIL_S past it. Missed:
 *   due times in the window with no run; duplicates: two runs for one due time.
 * - CPU per run: utime + stime of every node process over the window (/proc/<pid>/stat), over
 *   the runs due in it. The database's side too: the PostgreSQL backends serving this run's
 *   nodes (found by their application_name in pg_stat_activity) are sampled every second.
 *   Before the checks are written the nodes run IDLE_S with nothing due: that fixed cost (each
 *   node polls for due checks and runs the engine's passes) is given apart, and each figure
 *   per run also net of it ("beyond idle").
 * - Shares: each node logs its claims at debug ('checks claimed', scheduler.ts); a node's share
 *   is its claimed checks over all, in the window.
 * - Failover (three nodes, after the window, under the same load): a node is killed with
 *   SIGKILL right after it logs a claim (its claims then have the longest left to run, the
 *   worst case); the checks it held are the rows whose `claim_token` is one of its tokens. The
 *   time from the kill to the first result of one of them, and to a result for each, recorded
 *   by the others. The node is started again between trials.
 *
 * Prints a markdown table and writes the raw numbers to bench/results/nodes.json. BENCH_QUICK=1
 * → 1,200 checks over one minute and one kill, for checking the script. NODES_CHECKS,
 * NODES_MINUTES, NODES_COUNTS (default `1,2,3`) and NODES_KILLS (default 3) override.
 * NODES_STATEMENTS=1 also prints, per node count, the statements that cost the database most over
 * the window (pg_stat_statements, which must be preloaded; best on a database of its own, as it
 * is reset at each window's start and counts every statement of the database).
 * docs/BENCHMARKS.md section 12.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { cpuMs, median, memoryMb, percentile, scratchDir, TARGETS, writeResults } from './lib.mjs';
import { log, markdownTable, PG_URL, pgQuery, sleep, startCheckTargets } from './shared.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
const CHECKS = Number(process.env.NODES_CHECKS ?? (QUICK ? 1_200 : 12_000));
const MINUTES = Number(process.env.NODES_MINUTES ?? (QUICK ? 1 : 2));
const COUNTS = (process.env.NODES_COUNTS ?? '1,2,3').split(',').map(Number);
const KILLS = Number(process.env.NODES_KILLS ?? (QUICK ? 1 : 3));
const INTERVAL_S = 60;
const TIMEOUT_S = 10;
const LEAD_S = 5;
/** From the first due time to the window: every check's first run changes its status. */
const WARMUP_S = INTERVAL_S;
/** The nodes run with no checks this long first: their fixed cost, apart from the runs'. */
const IDLE_S = 15;
const TAIL_S = 10;
const TARGET_P99_MS = 1_000;
const TARGET_FAILOVER_MS = 10_000;
const STATEMENTS = process.env.NODES_STATEMENTS === '1';

/** The scheduler's rule (store/check-runs.ts): an interval after the last due time, skipping any passed. */
function nextRun(dueAt, intervalS, now) {
  const step = intervalS * 1000;
  const next = dueAt + step;
  return next > now ? next : next + Math.ceil((now - next + 1) / step) * step;
}

// ---------------------------------------------------------------------------------------------
// The nodes.

const live = new Set();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

/**
 * A `vigil serve` process on `dbUrl`; resolves once it listens. Keeps its log lines at warn and
 * above, and its claims ({ at, claimed, token }).
 */
function startNode(dir, dbUrl) {
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (/^(VIGIL_|HTTP_|TRANSPORT_MODE|PINGERA_)/.test(key)) delete env[key];
  const child = spawn(process.execPath, [TARGETS.vigil.script, 'serve'], {
    env: {
      ...env,
      VIGIL_DATA_DIR: dir,
      VIGIL_DATABASE_URL: dbUrl,
      VIGIL_MODE: 'read_write',
      VIGIL_LOG_LEVEL: 'debug',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
    },
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  void exited.then(() => live.delete(child));
  const node = { child, pid: child.pid, claims: [], warnings: [], listeners: new Set() };
  let partial = '';
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line);
        if (entry.msg === 'checks claimed') {
          const claim = { at: entry.time, claimed: entry.claimed, token: entry.token };
          node.claims.push(claim);
          for (const listener of node.listeners) listener(claim);
        } else if (entry.level >= 40) {
          node.warnings.push(line.slice(0, 400));
        } else if (entry.mcp) {
          resolve(node);
        }
      }
    });
    void exited.then((code) => reject(new Error(`vigil serve exited (${code})`)));
    node.stop = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    };
    node.kill = () => {
      child.kill('SIGKILL');
      return exited;
    };
    /** The token of this node's next claim, the moment its line arrives. */
    node.nextClaim = () =>
      new Promise((done) => {
        const once = (claim) => {
          node.listeners.delete(once);
          done(claim.token);
        };
        node.listeners.add(once);
      });
  });
}

// ---------------------------------------------------------------------------------------------
// The store.

async function pgClient(url) {
  const { default: pg } = await import('pg');
  pg.types.setTypeParser(20, Number);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  return client;
}

function withSchema(base, schema, appName) {
  const sep = base.includes('?') ? '&' : '?';
  return `${base}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}&application_name=${appName}`;
}

/** The plan's rows, as CheckRepository.createCheck writes them, in multi-row inserts. */
async function insertChecks(db, plan) {
  const at = new Date().toISOString();
  const ids = plan.checks.map((_, i) => `PNODES${String(i).padStart(8, '0')}`);
  for (let from = 0; from < plan.checks.length; from += 500) {
    const values = [];
    const params = [];
    plan.checks.slice(from, from + 500).forEach((c, k) => {
      const i = from + k;
      const p = params.length;
      params.push(
        ids[i],
        `bench-${c.type}-${i}`,
        c.type,
        c.url ?? null,
        c.host ?? null,
        c.port ?? null,
        c.due0,
        at,
      );
      values.push(
        `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}, ${INTERVAL_S}, ${TIMEOUT_S}, 1, 0, null,
          '{}', 1, 1, 'pending', 0, null, null, $${p + 7}, $${p + 8}, $${p + 8}, null, 0)`,
      );
    });
    await db.query(
      `insert into checks (id, name, type, url, host, port, interval, timeout, active, position, group_id,
         parameters, failure_threshold, recovery_threshold, status, consecutive, last_result,
         last_checked_at, next_run_at, created_at, updated_at, claim_token, claimed_until)
       values ${values.join(',')}`,
      params,
    );
  }
  return ids;
}

/**
 * CPU (ms) of the PostgreSQL backends named `appName`, sampled every second until `stop`: what
 * they used since `mark` (a backend first seen after it counts from then; one that exits, to its
 * last sample).
 */
function backendSampler(db, appName) {
  const seen = new Map(); // pid -> { first, last }
  const take = async () => {
    const { rows } = await db.query('select pid from pg_stat_activity where application_name = $1', [
      appName,
    ]);
    for (const { pid } of rows) {
      try {
        const ms = cpuMs(pid);
        const s = seen.get(pid);
        if (s) s.last = ms;
        else seen.set(pid, { first: ms, last: ms });
      } catch {
        // gone
      }
    }
  };
  let running = true;
  const loop = (async () => {
    while (running) {
      await take().catch(() => undefined);
      await sleep(1_000);
    }
  })();
  return {
    mark: async () => {
      await take();
      for (const s of seen.values()) s.first = s.last;
    },
    since: async () => {
      await take().catch(() => undefined);
      return [...seen.values()].reduce((n, s) => n + (s.last - s.first), 0);
    },
    stop: () => {
      running = false;
      return loop;
    },
  };
}

/** Clears pg_stat_statements, so `statements` counts from now. */
async function resetStatements(db) {
  await db.query('create extension if not exists pg_stat_statements schema public');
  await db.query('select public.pg_stat_statements_reset()');
}

/**
 * The statements of this database since the reset, most time first, per run due: lists of
 * parameters (`in ($1, $2, …)`, `values (…), (…)`) folded, so one statement of any batch size is
 * one line.
 */
async function statements(db, runs) {
  const { rows } = await db.query(
    `select query, calls, total_exec_time, rows, shared_blks_hit + shared_blks_read as blocks
       from public.pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())`,
  );
  const fold = (q) =>
    q
      .replace(/\s+/g, ' ')
      .replace(/\$\d+(, \$\d+)+/g, '$…')
      .replace(/(\([^()]*\))(, \([^()]*\))+/g, '$1, …')
      .slice(0, 160);
  const byQuery = new Map();
  for (const r of rows) {
    const key = fold(r.query);
    const s = byQuery.get(key) ?? { query: key, calls: 0, ms: 0, rows: 0, blocks: 0 };
    s.calls += Number(r.calls);
    s.ms += r.total_exec_time;
    s.rows += Number(r.rows);
    s.blocks += Number(r.blocks);
    byQuery.set(key, s);
  }
  const all = [...byQuery.values()];
  // Blocks (buffers read or hit) are the database's work whatever else runs on the machine; its
  // time per statement also counts the waits for a core that three nodes beside it bring.
  const total = {
    usPerRun: (all.reduce((sum, s) => sum + s.ms, 0) * 1000) / runs,
    blocksPerRun: all.reduce((sum, s) => sum + s.blocks, 0) / runs,
  };
  const top = all
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 15)
    .map((s) => ({
      ...s,
      usPerRun: (s.ms * 1000) / runs,
      callsPerMinute: s.calls / MINUTES,
      rowsPerCall: s.rows / s.calls,
      blocksPerCall: s.blocks / s.calls,
    }));
  return { top, total };
}

// ---------------------------------------------------------------------------------------------
// One node count.

function makePlan(targets) {
  const first = Date.now() + LEAD_S * 1000;
  const checks = [];
  for (let i = 0; i < CHECKS; i++) {
    const due0 = first + Math.floor((i * INTERVAL_S * 1000) / CHECKS);
    checks.push(
      i % 2 === 0
        ? { type: 'web', url: `http://127.0.0.1:${targets.httpPort}/health`, due0 }
        : { type: 'tcp', host: '127.0.0.1', port: targets.tcpPort, due0 },
    );
  }
  return { first, checks };
}

async function runCount(n, targets) {
  const dir = scratchDir();
  const schema = `vigil_bench_nodes_${randomBytes(4).toString('hex')}`;
  const appName = `vigil-${schema}`;
  const dbUrl = withSchema(PG_URL, schema, appName);
  await pgQuery(PG_URL, `create schema ${schema}`);
  const db = await pgClient(withSchema(PG_URL, schema, 'vigil-bench-reader'));
  const nodes = [];
  try {
    // The first start migrates; the others then start together.
    nodes.push(await startNode(dir.dir, dbUrl));
    nodes.push(...(await Promise.all(Array.from({ length: n - 1 }, () => startNode(dir.dir, dbUrl)))));
    // Idle: what the nodes and their backends use with nothing to run (polling, the engine's passes).
    const backends = backendSampler(db, appName);
    await backends.mark();
    let cpu0 = nodes.map((node) => cpuMs(node.pid));
    const idleFrom = Date.now();
    await sleep(IDLE_S * 1000);
    const idleMs = Date.now() - idleFrom;
    const idleCpu = nodes.map((node, i) => cpuMs(node.pid) - cpu0[i]);
    const idleDbCpu = await backends.since();

    const plan = makePlan(targets);
    const ids = await insertChecks(db, plan);
    // The first minute, when every check goes from `pending` to `ok`, is not measured.
    const from = plan.first + WARMUP_S * 1000;
    const windowEnd = from + MINUTES * INTERVAL_S * 1000;
    log(
      `${n} node(s): ${ids.length} checks written; first due in ${((plan.first - Date.now()) / 1000).toFixed(1)} s`,
    );
    await sleep(from - Date.now());
    await backends.mark();
    if (STATEMENTS) await resetStatements(db);
    cpu0 = nodes.map((node) => cpuMs(node.pid));
    await sleep(windowEnd - Date.now());
    const cpu = nodes.map((node, i) => cpuMs(node.pid) - cpu0[i]);
    const dbCpuMs = await backends.since();
    const stats = STATEMENTS ? await statements(db, CHECKS * MINUTES) : undefined;
    await backends.stop();
    const rssMb = nodes.map((node) => memoryMb(node.pid).rss);
    const inWindow = (c) => c.at >= from && c.at < windowEnd;
    // Before the failover trials, which start new processes in place of the killed ones.
    const claims = nodes.map((node) => node.claims.filter(inWindow).reduce((s, c) => s + c.claimed, 0));
    await sleep(TAIL_S * 1000);
    const failovers = n === 3 ? await failoverTrials(nodes, db, dir.dir, dbUrl) : [];

    await Promise.all(nodes.map((node) => node.stop()));
    const { rows } = await db.query(
      `select check_id, created_at, response_time from check_results
         where result_type = 'regular' order by check_id, created_at`,
    );
    const verdict = analyse(plan, ids, rows, from, windowEnd);
    const claimed = claims.reduce((a, b) => a + b, 0);
    const sum = (list) => list.reduce((a, b) => a + b, 0);
    const windowMs = windowEnd - from;
    // What the runs cost beyond what the same nodes use idle over as long.
    const idleOverWindow = (sum(idleCpu) * windowMs) / idleMs;
    const idleDbOverWindow = (idleDbCpu * windowMs) / idleMs;
    return {
      nodes: n,
      ...verdict,
      runsPerMinute: verdict.runs / MINUTES,
      cpuMsPerNode: cpu,
      cpuUsPerRun: (sum(cpu) * 1000) / verdict.runs,
      cpuUsPerRunBeyondIdle: ((sum(cpu) - idleOverWindow) * 1000) / verdict.runs,
      cpuShareOfCore: sum(cpu) / windowMs,
      idleCpuShareOfCorePerNode: idleCpu.map((ms) => ms / idleMs),
      dbCpuUsPerRun: (dbCpuMs * 1000) / verdict.runs,
      dbCpuUsPerRunBeyondIdle: ((dbCpuMs - idleDbOverWindow) * 1000) / verdict.runs,
      idleDbCpuShareOfCore: idleDbCpu / idleMs,
      shares: claims.map((c) => c / claimed),
      rssMb,
      statements: stats,
      failovers,
      warnings: nodes.flatMap((node) => node.warnings).slice(0, 20),
      warningCount: nodes.reduce((s, node) => s + node.warnings.length, 0),
    };
  } finally {
    await Promise.all(nodes.map((node) => node.kill()));
    await db.end().catch(() => undefined);
    await pgQuery(PG_URL, `drop schema if exists ${schema} cascade`).catch(() => undefined);
    dir.remove();
  }
}

/**
 * Kills one node of three right after it claims, KILLS times (a different one each time), and
 * times how soon the checks it held run elsewhere; starts it again after each.
 */
async function failoverTrials(nodes, db, dir, dbUrl) {
  const trials = [];
  for (let k = 0; k < KILLS; k++) {
    const i = k % nodes.length;
    const victim = nodes[i];
    const token = await victim.nextClaim();
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    const tokens = [...new Set([token, ...victim.claims.map((c) => c.token)])];
    const { rows: held } = await db.query('select id from checks where claim_token = any($1)', [tokens]);
    const ids = held.map((r) => r.id);
    let firsts = [];
    const deadline = killedAt + 30_000;
    while (Date.now() < deadline) {
      const { rows } = await db.query(
        `select check_id, min(created_at) as first from check_results
           where check_id = any($1) and created_at > $2 and result_type = 'regular' group by check_id`,
        [ids, killedAt],
      );
      firsts = rows.map((r) => Number(r.first));
      if (firsts.length === ids.length) break;
      await sleep(50);
    }
    const trial = {
      held: ids.length,
      rerun: firsts.length,
      firstMs: firsts.length ? Math.min(...firsts) - killedAt : null,
      allMs: firsts.length === ids.length && ids.length ? Math.max(...firsts) - killedAt : null,
    };
    log(
      `kill ${k + 1}/${KILLS}: ${trial.held} checks held; first ran elsewhere after ${trial.firstMs} ms, all after ${trial.allMs} ms`,
    );
    trials.push(trial);
    await victim.kill();
    nodes[i] = await startNode(dir, dbUrl);
    await sleep(5_000);
  }
  return trials;
}

/** Lag, missed and duplicate runs over the due times in [from, to), per check rebuilt by the rule. */
function analyse(plan, ids, rows, from, to) {
  const index = new Map(ids.map((id, i) => [id, i]));
  const lags = [];
  const dues = plan.checks.map(() => new Set());
  let duplicates = 0;
  let current = -1;
  let due = 0;
  for (const r of rows) {
    const i = index.get(r.check_id);
    if (i !== current) {
      current = i;
      due = plan.checks[i].due0;
    }
    if (due >= from && due < to) {
      if (dues[i].has(due)) duplicates++;
      dues[i].add(due);
      lags.push(r.created_at - r.response_time - due);
    }
    due = nextRun(due, INTERVAL_S, r.created_at);
  }
  let expected = 0;
  let missed = 0;
  plan.checks.forEach((c, i) => {
    for (let d = c.due0; d < to; d += INTERVAL_S * 1000) {
      if (d < from) continue;
      expected++;
      if (!dues[i].has(d)) missed++;
    }
  });
  const sorted = Float64Array.from(lags).sort();
  return {
    expected,
    runs: lags.length,
    missed,
    duplicates,
    lagP50Ms: percentile(sorted, 50),
    lagP99Ms: percentile(sorted, 99),
    lagMaxMs: sorted.at(-1),
  };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const loadBefore = loadavg()[0];
  const targets = await startCheckTargets();
  const out = [];
  try {
    for (const n of COUNTS) {
      log(`${n} node(s): ${CHECKS} checks every ${INTERVAL_S} s for ${MINUTES} min`);
      const r = await runCount(n, targets);
      log(
        `${n} node(s): lag p50 ${r.lagP50Ms} ms p99 ${r.lagP99Ms} ms, ${r.runs}/${r.expected} runs, ` +
          `${r.cpuUsPerRun.toFixed(0)} µs CPU per run`,
      );
      out.push(r);
    }
  } finally {
    targets.stop();
  }
  const trials = out.flatMap((r) => r.failovers);
  const failover = {
    firstMedianMs: trials.length ? median(trials.map((t) => t.firstMs ?? Number.POSITIVE_INFINITY)) : null,
    allMedianMs: trials.length ? median(trials.map((t) => t.allMs ?? Number.POSITIVE_INFINITY)) : null,
    allMaxMs: trials.length ? Math.max(...trials.map((t) => t.allMs ?? Number.POSITIVE_INFINITY)) : null,
    trials,
  };
  const results = writeResults('nodes.json', loadBefore, {
    plan: { checks: CHECKS, minutes: MINUTES, intervalS: INTERVAL_S, counts: COUNTS, kills: KILLS },
    counts: out,
    failover,
    durationS: (Date.now() - started) / 1000,
  });
  console.log(table(out, failover));
  if (STATEMENTS)
    for (const r of out) {
      const { top, total } = r.statements;
      console.log(`\n${r.nodes} node(s):\n${statementTable(top)}`);
      console.log(
        `All statements: ${total.usPerRun.toFixed(0)} µs, ${total.blocksPerRun.toFixed(1)} blocks a run`,
      );
    }
  log(`load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after`);
  log(`done in ${results.durationS.toFixed(0)} s; raw results in bench/results/nodes.json`);
}

function table(counts, failover) {
  const one = counts.find((r) => r.nodes === 1);
  const ratio = (v, base) => (base ? `${(v / base).toFixed(2)}x` : '');
  const us = (v) => `${v.toFixed(0)} µs`;
  const pct = (v) => `${(100 * v).toFixed(1)}%`;
  const head = [
    '| Nodes | Runs / min | Runs / due | Missed | Dupl. | Lag p50 | Lag p99 | Lag max | Idle CPU per node | Node CPU per run | beyond idle | vs 1 node | DB CPU per run | beyond idle | Shares | p99 < 1 s |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  const rows = counts.map((r) => [
    r.nodes,
    r.runsPerMinute.toFixed(0),
    `${r.runs} / ${r.expected}`,
    r.missed,
    r.duplicates,
    `${r.lagP50Ms} ms`,
    `${r.lagP99Ms} ms`,
    `${r.lagMaxMs} ms`,
    r.idleCpuShareOfCorePerNode.map(pct).join(' / '),
    us(r.cpuUsPerRun),
    us(r.cpuUsPerRunBeyondIdle),
    ratio(r.cpuUsPerRunBeyondIdle, one?.cpuUsPerRunBeyondIdle),
    us(r.dbCpuUsPerRun),
    us(r.dbCpuUsPerRunBeyondIdle),
    r.shares.map((v) => `${(100 * v).toFixed(0)}%`).join(' / '),
    r.lagP99Ms < TARGET_P99_MS ? 'yes' : '**no**',
  ]);
  const lines = [markdownTable(head, rows)];
  if (failover.trials.length) {
    const met = failover.allMaxMs <= TARGET_FAILOVER_MS ? 'yes' : '**no**';
    lines.push(
      '',
      `Failover (kill -9 of one of three, ${failover.trials.length} trials): first of its checks elsewhere ` +
        `after ${failover.firstMedianMs} ms (median), all of them after ${failover.allMedianMs} ms (median), ` +
        `${failover.allMaxMs} ms at most; under 10 s: ${met}.`,
    );
  }
  return lines.join('\n');
}

function statementTable(list) {
  const head = [
    '| Statement | µs / run | Calls / min | Rows / call | Blocks / call |',
    '|---|---:|---:|---:|---:|',
  ];
  const rows = list.map((s) => [
    `\`${s.query.replaceAll('|', '\\|')}\``,
    s.usPerRun.toFixed(1),
    s.callsPerMinute.toFixed(0),
    s.rowsPerCall.toFixed(1),
    s.blocksPerCall.toFixed(0),
  ]);
  return markdownTable(head, rows);
}

await main();
