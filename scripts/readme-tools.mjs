#!/usr/bin/env node
/**
 * Writes the README's tool table from the registry (run after the build: `npm run docs`).
 * test/readme.test.ts fails when the README's table is not what this writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { toolTable } from '../dist/server/docs.js';
import { ALL_TOOLS } from '../dist/tools/registry.js';

const file = new URL('../README.md', import.meta.url);
const readme = readFileSync(file, 'utf8');
const start = readme.indexOf('| Tool | Toolset | Mode | What it does |');
if (start < 0) throw new Error('README.md has no tool table');
const lines = readme.slice(start).split('\n');
const table = lines
  .slice(
    0,
    lines.findIndex((l) => !l.startsWith('|')),
  )
  .join('\n');
writeFileSync(file, readme.slice(0, start) + toolTable(ALL_TOOLS) + readme.slice(start + table.length));
process.stdout.write(`wrote ${ALL_TOOLS.length} tools into the README's table\n`);
