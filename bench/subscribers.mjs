#!/usr/bin/env node
/**
 * An incident update to 10,000 confirmed email subscribers, delivered into a local SMTP server,
 * with the status page and MCP in use meanwhile. Targets: the last message accepted within 60 s
 * of the update, and the status page's p99 under 50 ms during the send.
 * Not part of `npm run bench` (about a minute): `node bench/subscribers.mjs`.
 *
 * Vigil: `dist/cli/main.js serve` (VIGIL_MODE=read_write, a fresh SQLite store,
 * VIGIL_SMTP_URL pointing at this process). A page with two components is made through MCP; its
 * 10,000 subscribers are written straight into the store (confirmed, every component), as
 * making them is not what is measured. Then `add_incident_update` is called through MCP and the
 * clock starts: Vigil queues one delivery per subscriber in that call's transaction, and its engine
 * sends them. The SMTP server (`smtp-server`, in this process, counting messages and not parsing
 * them) notes when the last one is accepted. Meanwhile 5 loops GET the status page (HTML), one
 * request in flight each, and one loop calls `list_incidents` over MCP, timing every answer.
 * The same page loops run for 5 s before the update: the page's latency at rest, on the same server.
 *
 * Baseline, in the same run: plain Node sending 10,000 messages of the same size through
 * nodemailer's pool (20 connections, as Vigil's email channel uses) into the same SMTP server, with
 * no store, no outbox and no page being built.
 *
 * Prints a markdown table and writes the raw numbers to bench/results/subscribers.json.
 * BENCH_SUBSCRIBERS=n changes the count (for checking the script). docs/BENCHMARKS.md section 16.
 */
import { randomBytes } from 'node:crypto';
import { Agent, get } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { call, percentile, TARGETS, withHttpClient, writeResults } from './lib.mjs';
import { loadSqlite, log, markdownTable, sleep, withServer } from './shared.mjs';

const COUNT = Number(process.env.BENCH_SUBSCRIBERS ?? 10_000);
const TARGET_S = 60;
const TARGET_P99_MS = 50;
const PAGE_LOOPS = 5;

/** An SMTP server that counts what it accepts and when; `waitFor(n)` resolves at the n-th. */
async function smtpSink() {
  let count = 0;
  let last = 0;
  let bytes = 0;
  const waiters = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    maxClients: 100,
    onData(stream, _session, callback) {
      stream.on('data', (c) => {
        bytes += c.length;
      });
      stream.on('end', () => {
        count++;
        last = performance.now();
        for (let i = waiters.length - 1; i >= 0; i--) {
          if (count < waiters[i].n) continue;
          waiters[i].resolve(last);
          waiters.splice(i, 1);
        }
        callback();
      });
    },
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${server.server.address().port}`,
    count: () => count,
    bytes: () => bytes,
    reset() {
      count = 0;
      bytes = 0;
    },
    waitFor: (n, timeoutMs) =>
      new Promise((resolve, reject) => {
        if (count >= n) return resolve(last);
        waiters.push({ n, resolve });
        setTimeout(
          () => reject(new Error(`only ${count} of ${n} messages within ${timeoutMs / 1000} s`)),
          timeoutMs,
        ).unref();
      }),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** GETs `url` in `loops` loops until `stop()` is true; answers each answer's latency (ms). */
function pageLoops(url, loops, stop) {
  const agent = new Agent({ keepAlive: true, maxSockets: loops });
  const latencies = [];
  let failures = 0;
  const once = () =>
    new Promise((resolve) => {
      const t = performance.now();
      get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - t);
          else failures++;
          resolve();
        });
      }).on('error', () => {
        failures++;
        resolve();
      });
    });
  const running = Promise.all(
    Array.from({ length: loops }, async () => {
      while (!stop()) await once();
    }),
  );
  return running.then(() => {
    agent.destroy();
    return { latencies, failures };
  });
}

const stats = (latencies) => {
  const sorted = Float64Array.from(latencies).sort();
  return {
    n: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? 0,
  };
};

async function vigilRun(sink) {
  return withServer(
    {
      script: TARGETS.vigil.script,
      nodeArgs: process.env.SUBSCRIBERS_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SUBSCRIBERS_CPU_PROF}`]
        : [],
      env: {
        VIGIL_MODE: 'read_write',
        VIGIL_SMTP_URL: sink.url,
        VIGIL_SMTP_FROM: 'Status <status@example.com>',
      },
    },
    async (server, store) =>
      withHttpClient(new URL('/mcp', server.url), async (client) => {
        const page = (await call(client, 'create_page', { name: 'Bench Cloud', subdomain: 'bench' }))
          .pages[0];
        for (const name of ['API', 'Website'])
          await call(client, 'create_component', { page_id: page.id, name });
        const incident = (
          await call(client, 'create_incident', {
            page_id: page.id,
            name: 'Elevated errors',
            status: 'investigating',
            deliver_notifications: false,
          })
        ).incidents[0];
        const SQLite = await loadSqlite();
        const db = new SQLite(join(store.dir, 'vigil.db'));
        db.pragma('busy_timeout = 5000');
        const at = new Date().toISOString();
        const insert = db.prepare(
          `insert into status_subscribers (id, page_id, kind, address, address_lower, secret, link_key, origin, confirmed_at, rejected_at, rejection, created_at)
           values (?, ?, 'email', ?, ?, null, ?, 'operator', ?, null, null, ?)`,
        );
        db.transaction(() => {
          for (let i = 0; i < COUNT; i++) {
            const address = `subscriber${i}@example.com`;
            insert.run(
              `PB${String(i).padStart(12, '0')}`,
              page.id,
              address,
              address,
              randomBytes(9).toString('base64url'),
              at,
              at,
            );
          }
        })();
        db.close();
        const counted = await call(client, 'get_status_page_subscription_counts', { page_id: page.id });
        if (counted.counts[0].active !== COUNT)
          throw new Error(`seed check: ${counted.counts[0].active} active`);

        const pageUrl = new URL('/status/bench', server.url);
        let resting = true;
        const atRest = pageLoops(pageUrl, PAGE_LOOPS, () => !resting);
        await sleep(5000);
        resting = false;
        const rest = await atRest;

        let sending = true;
        const during = pageLoops(pageUrl, PAGE_LOOPS, () => !sending);
        const mcpLatencies = [];
        const mcpLoop = (async () => {
          while (sending) {
            const t = performance.now();
            await call(client, 'list_incidents', { page_id: page.id, limit: 5 });
            mcpLatencies.push(performance.now() - t);
          }
        })();
        sink.reset();
        const t0 = performance.now();
        await call(client, 'add_incident_update', {
          page_id: page.id,
          incident_id: incident.id,
          status: 'identified',
          body: 'A bad deploy is being rolled back.',
        });
        const answeredMs = performance.now() - t0;
        const lastAt = await sink.waitFor(COUNT, 300_000);
        sending = false;
        const [pages] = await Promise.all([during, mcpLoop]);
        const notified = (
          await call(client, 'get_incident_notification_counts', {
            page_id: page.id,
            incident_id: incident.id,
          })
        ).notifications;
        return {
          lastAcceptedS: (lastAt - t0) / 1000,
          updateAnsweredMs: answeredMs,
          messages: sink.count(),
          bytesPerMessage: sink.bytes() / sink.count(),
          delivered: notified.reduce((n, c) => n + c.delivered, 0),
          pageAtRest: stats(rest.latencies),
          pageDuringSend: { ...stats(pages.latencies), failures: pages.failures },
          mcpDuringSend: stats(mcpLatencies),
        };
      }),
  );
}

/** Plain Node: the same number of messages of the same size through nodemailer's pool, no store. */
async function baselineRun(sink, bytesPerMessage) {
  const transport = nodemailer.createTransport({
    url: sink.url,
    pool: true,
    maxConnections: 20,
    maxMessages: Infinity,
  });
  const text = 'x'.repeat(Math.max(0, Math.round(bytesPerMessage / 2) - 400));
  sink.reset();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 100 }, async () => {
      while (next < COUNT) {
        const i = next++;
        await transport.sendMail({
          from: { name: 'Bench Cloud', address: 'status@example.com' },
          to: `subscriber${i}@example.com`,
          subject: '[Bench Cloud] Identified: Elevated errors',
          text,
          html: `<p>${text}</p>`,
          headers: {
            'List-Unsubscribe': '<https://example.com/u>',
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
        });
      }
    }),
  );
  const lastAt = await sink.waitFor(COUNT, 300_000);
  transport.close();
  return {
    lastAcceptedS: (lastAt - t0) / 1000,
    messages: sink.count(),
    bytesPerMessage: sink.bytes() / sink.count(),
  };
}

const loadBefore = loadavg()[0];
const sink = await smtpSink();
try {
  log(`vigil: ${COUNT} subscribers`);
  const vigil = await vigilRun(sink);
  log(`vigil: last message after ${vigil.lastAcceptedS.toFixed(1)} s`);
  const baseline = await baselineRun(sink, vigil.bytesPerMessage);
  log(`baseline: last message after ${baseline.lastAcceptedS.toFixed(1)} s`);
  writeResults('subscribers.json', loadBefore, {
    subscribers: COUNT,
    targets: { lastAcceptedS: TARGET_S, pageP99Ms: TARGET_P99_MS },
    vigil,
    baseline,
  });
  const ms = (v) => `${v.toFixed(1)} ms`;
  console.log(
    markdownTable(
      [
        '| Run | Last message accepted | Messages | Page p50 / p99 during send | Page p99 at rest | MCP p99 during send |',
        '|---|---:|---:|---:|---:|---:|',
      ],
      [
        [
          'baseline (nodemailer pool, no store)',
          `${baseline.lastAcceptedS.toFixed(1)} s`,
          baseline.messages.toLocaleString('en'),
          '—',
          '—',
          '—',
        ],
        [
          'Vigil (SQLite)',
          `${vigil.lastAcceptedS.toFixed(1)} s`,
          vigil.messages.toLocaleString('en'),
          `${ms(vigil.pageDuringSend.p50Ms)} / ${ms(vigil.pageDuringSend.p99Ms)}`,
          ms(vigil.pageAtRest.p99Ms),
          ms(vigil.mcpDuringSend.p99Ms),
        ],
      ],
    ),
  );
  console.log(
    `\nadd_incident_update answered in ${ms(vigil.updateAnsweredMs)}; ${vigil.pageDuringSend.n} page requests during the send (${vigil.pageDuringSend.failures} failed), max ${ms(vigil.pageDuringSend.maxMs)}; ${vigil.delivered} recorded delivered; load average ${loadBefore.toFixed(1)}–${loadavg()[0].toFixed(1)}.`,
  );
} finally {
  await sink.close();
}
