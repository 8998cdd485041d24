/**
 * The README's tables cannot drift: every variable, flag and tool is in them, as the code has it,
 * and the first screen still shows the two commands a newcomer needs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FLAG_VARIABLES } from '../src/cli/env.js';
import { allVariables, PROVIDERS } from '../src/cli/providers.js';
import { parseConfig } from '../src/core/config.js';
import { silentLogger } from '../src/core/log.js';
import { TOOL_TABLE_MARKERS, toolTable } from '../src/server/docs.js';
import { ALL_TOOLS } from '../src/tools/registry.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const rows = (header: string) => {
  const start = README.indexOf(header);
  expect(start, header).toBeGreaterThan(-1);
  const lines = README.slice(start).split('\n').slice(2);
  return lines
    .slice(
      0,
      lines.findIndex((l) => !l.startsWith('|')),
    )
    .map((l) => l.split(' | ').map((c) => c.replace(/^\| ?| ?\|$/g, '')));
};

describe('README', () => {
  it('shows how to start and how to test on its first screen', () => {
    const first = README.split('\n').slice(0, 20).join('\n');
    expect(first).toContain('npm install && npm start');
    expect(first).toContain('npm test');
  });

  it('lists every configuration variable with its aliases, flag and default, and nothing else', () => {
    const table = rows('| Variable | Flag | Default | Meaning |');
    const flagOf = Object.fromEntries(Object.entries(FLAG_VARIABLES).map(([flag, name]) => [name, flag]));
    // Core's variables and each provider's, declared in its own folder.
    const variables = allVariables(parseConfig({}));
    for (const v of variables) {
      const row = table.find((r) => r[0]?.startsWith(`\`${v.name}\``));
      expect(row, v.name).toBeDefined();
      const [names, flag, def] = row as string[];
      for (const alias of v.aliases ?? []) expect(names, v.name).toContain(`\`${alias}\``);
      expect(flag, v.name).toBe(flagOf[v.name] ? `\`--${flagOf[v.name]}\`` : '');
      expect(def, v.name).toBe(v.default !== undefined ? `\`${v.default}\`` : '');
    }
    const known = new Set<string>(variables.map((v) => v.name));
    for (const [names, flag] of table) {
      const name = /^`([A-Z_]+)`/.exec(names ?? '')?.[1];
      if (name) expect(known.has(name), name).toBe(true);
      else expect(flag).toBe('`--env-file`');
    }
  });

  it('ships the LICENSE package.json names', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      license: string;
    };
    expect(pkg.license).toBe('Apache-2.0');
    const license = readFileSync(new URL('../LICENSE', import.meta.url), 'utf8');
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
  });

  it('never tells anyone to run an unpublished package', () => {
    expect(README).not.toContain('"command": "npx"');
    expect(README).not.toContain('npx -y vigil-mcp');
  });

  it('lists every tool as the registry has it (npm run docs writes the table)', () => {
    const [open, close] = TOOL_TABLE_MARKERS;
    const between = README.slice(README.indexOf(open) + open.length, README.indexOf(close));
    expect(README.indexOf(open)).toBeGreaterThan(-1);
    expect(between).toBe(`\n${toolTable(ALL_TOOLS)}\n`);
  });

  it('documents the headers Vigil reads from clients', () => {
    const table = rows('| Header | Meaning |')
      .flatMap((r) => (r[0] ?? '').split(', '))
      .map((h) => h.replaceAll('`', '').toLowerCase());
    // Every request header the HTTP layer reads, except the mechanics of HTTP itself.
    const mechanics = new Set(['content-length', 'user-agent']);
    const read = new Set<string>();
    for (const file of readdirSync(new URL('../src/http/', import.meta.url), { recursive: true })) {
      if (!String(file).endsWith('.ts') || String(file).endsWith('.test.ts')) continue;
      const code = readFileSync(new URL(`../src/http/${file}`, import.meta.url), 'utf8');
      for (const m of code.matchAll(/req\.headers(?:\['([a-z-]+)'\]|\.([a-z]+))/g))
        read.add(m[1] ?? m[2] ?? '');
    }
    // And the headers the providers read a caller's own credential from.
    const config = parseConfig({});
    for (const make of PROVIDERS)
      for (const h of make(config, { log: silentLogger(), version: '0' }).credentialHeaders ?? [])
        read.add(h);
    expect(read.size).toBeGreaterThan(3);
    expect([...read].filter((h) => !mechanics.has(h)).sort()).toEqual([...table].sort());
  });
});
