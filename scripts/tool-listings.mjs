#!/usr/bin/env node
/**
 * Writes dist/tools/listings.json after the build: every tool's listing (its JSON schemas), so a
 * server does not compute them at each start. See src/server/listings.ts.
 */
import { writeFileSync } from 'node:fs';
import { codeHash, LISTINGS_FILE } from '../dist/server/listings.js';
import { compileTools } from '../dist/server/registry.js';
import { ALL_TOOLS } from '../dist/tools/registry.js';

const tools = Object.fromEntries([...compileTools(ALL_TOOLS)].map(([name, t]) => [name, t.listing]));
writeFileSync(LISTINGS_FILE, JSON.stringify({ hash: codeHash(), tools }));
process.stdout.write(`wrote ${Object.keys(tools).length} tool listings to ${LISTINGS_FILE}\n`);
