#!/usr/bin/env node
/**
 * Where a server spends its CPU on a benchmark's workload: runs it under `node --cpu-prof`
 * (stdio: `calls` sequential calls after a warm-up; http: the 50-client load for 5 s), then
 * prints self time grouped by package (or dist/ module) and the hottest functions.
 * Not part of `npm run bench`.
 *
 *   node bench/profile.mjs [vigil|baseline] [stdio|http] [calls]   (default: vigil stdio 5000)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpRun } from './http.mjs';
import { call, scratchDir, seedVigil, startStdio, TARGETS } from './lib.mjs';

const [name = 'vigil', transport = 'stdio', calls = '5000'] = process.argv.slice(2);
const target = TARGETS[name];
const store = scratchDir();
try {
  const seed = name === 'vigil' ? await seedVigil(store.dir) : {};
  const profDir = join(store.dir, 'prof');
  const nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${profDir}`];
  if (transport === 'http') {
    const r = await httpRun(target, store.dir, seed, { seconds: 5, warmupS: 1, nodeArgs });
    console.log(
      `${r.callsPerSecond.toFixed(0)} calls/s, server ${r.serverCpuUsPerCall.toFixed(0)} µs CPU per call`,
    );
  } else {
    const server = await startStdio(target, store.dir, {}, nodeArgs);
    const args = target.args(seed);
    for (let i = 0; i < 500 + Number(calls); i++) await call(server.client, target.tool, args);
    await server.close();
  }
  await new Promise((resolve) => setTimeout(resolve, 500)); // the profile is written at exit
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  report(JSON.parse(readFileSync(join(profDir, file), 'utf8')));
} finally {
  store.remove();
}

function report(profile) {
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const dt = new Map();
  for (const [i, id] of profile.samples.entries())
    dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const groups = new Map();
  let total = 0;
  for (const [id, us] of dt) {
    const { callFrame: f } = byId.get(id);
    const group = groupOf(f.url, f.functionName);
    const fn = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
    groups.set(group, (groups.get(group) ?? 0) + us);
    self.set(fn, (self.get(fn) ?? 0) + us);
    total += us;
  }
  const print = (title, map, n) => {
    console.log(`\n${title}`);
    for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
      console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
    }
  };
  print(`self time by package (${(total / 1000).toFixed(0)} ms sampled)`, groups, 15);
  print('hottest functions (self time)', self, 30);
}

function groupOf(url, fn) {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1];
  const dist = url.match(/\/(dist\/.*)$/);
  if (dist) return dist[1];
  return url.startsWith('node:') ? 'node internals' : url;
}
