/**
 * Build-time tool listings: used only while the code they were made from is unchanged, and the
 * same as the listings computed at start.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/vigil.js';
import { ALL_TOOLS } from '../tools/registry.js';
import { codeHash, loadListings } from './listings.js';
import { compileTools } from './registry.js';

describe('tool listings made at build time', () => {
  it('are stamped with a hash that any change to a tool or core module changes', () => {
    const root = tempDir();
    for (const dir of ['tools', 'core']) mkdirSync(join(root, dir));
    writeFileSync(join(root, 'tools', 'a.js'), 'export const a = 1;');
    writeFileSync(join(root, 'core', 'b.js'), 'export const b = 1;');
    const before = codeHash(root);
    expect(codeHash(root)).toBe(before);
    writeFileSync(join(root, 'core', 'b.js'), 'export const b = 2;');
    expect(codeHash(root)).not.toBe(before);
  });

  it('are used for the tools they cover, and otherwise computed', () => {
    const [first, second] = ALL_TOOLS;
    const fake = {
      name: first?.name ?? '',
      description: 'from the build',
      inputSchema: { type: 'object' as const },
      outputSchema: {},
    };
    const compiled = compileTools(
      [first, second].filter((t) => t !== undefined),
      new Map([[fake.name, fake]]),
    );
    expect(compiled.get(fake.name)?.listing.description).toBe('from the build');
    expect(compiled.get(second?.name ?? '')?.listing.description).toBe(second?.description);
  });

  it('in the build, when present and current, equal what the built code computes', async ({ skip }) => {
    const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
    const listings = loadListings(dist);
    if (!listings) skip();
    const load = (path: string) => import(join(dist, path));
    const built: { ALL_TOOLS: typeof ALL_TOOLS } = await load('tools/registry.js');
    const builtServer: { compileTools: typeof compileTools } = await load('server/registry.js');
    const computed = builtServer.compileTools(built.ALL_TOOLS);
    expect(listings?.size).toBe(computed.size);
    for (const [name, tool] of computed) expect(listings?.get(name), name).toEqual(tool.listing);
  });
});
