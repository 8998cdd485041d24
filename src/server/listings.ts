/**
 * Tool listings written at build time (`npm run build`), because turning 100-odd zod schemas into
 * JSON Schema at start-up delays a stdio client's first `tools/list` by about 180 ms (a sixth of
 * a cold start); a file stamped with another code's hash is ignored and listings are computed.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Listing } from './registry.js';

const DIST = fileURLToPath(new URL('..', import.meta.url));
export const LISTINGS_FILE = join(DIST, 'tools', 'listings.json');

/** A hash of every module a tool's schemas can come from (the tools and the core). */
export function codeHash(root = DIST): string {
  const hash = createHash('sha256');
  for (const dir of ['tools', 'core']) {
    for (const file of readdirSync(join(root, dir))
      .filter((f) => f.endsWith('.js'))
      .sort()) {
      hash.update(file).update(readFileSync(join(root, dir, file)));
    }
  }
  return hash.digest('hex');
}

/** The listings written at build time, when they match this code; otherwise undefined. */
export function loadListings(root = DIST): Map<string, Listing> | undefined {
  let saved: { hash: string; tools: Record<string, Listing> };
  try {
    saved = JSON.parse(readFileSync(join(root, 'tools', 'listings.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (saved.hash !== codeHash(root)) return undefined;
  return new Map(Object.entries(saved.tools));
}
