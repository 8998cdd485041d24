#!/usr/bin/env node
/**
 * Writes the README's tool table from the registry (run after the build: `npm run docs`).
 * test/readme.test.ts fails when the README's table is not what this writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { TOOL_TABLE_MARKERS, toolTable } from '../dist/server/docs.js';
import { ALL_TOOLS } from '../dist/tools/registry.js';

const file = new URL('../README.md', import.meta.url);
const readme = readFileSync(file, 'utf8');
const [open, close] = TOOL_TABLE_MARKERS;
const start = readme.indexOf(open);
const end = readme.indexOf(close);
if (start < 0 || end < start) throw new Error(`README.md has no ${open} … ${close}`);
const table = `${open}\n${toolTable(ALL_TOOLS)}\n`;
writeFileSync(file, readme.slice(0, start) + table + readme.slice(end));
process.stdout.write(`wrote ${ALL_TOOLS.length} tools into the README's table\n`);
