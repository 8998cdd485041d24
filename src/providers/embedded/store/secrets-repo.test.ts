/**
 * The key secrets are sealed with: from VIGIL_SECRET_KEY, or a key file made once, readable by
 * its owner only, shared by every process on the data directory.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/helpers/vigil.js';
import { secretKey } from './secrets-repo.js';

describe('secretKey', () => {
  it('makes one key file, owner-only, and every caller gets the same key', () => {
    const dir = tempDir();
    const keys = Array.from({ length: 5 }, () => secretKey(undefined, dir).toString('hex'));
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toHaveLength(64);
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'secret.key'), 'utf8')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('derives the key from VIGIL_SECRET_KEY when set, and refuses a damaged key file', () => {
    expect(secretKey('a'.repeat(40), '/nonexistent').toString('hex')).toBe(
      secretKey('a'.repeat(40), '/x').toString('hex'),
    );
    expect(secretKey('a'.repeat(40), '/x').equals(secretKey('b'.repeat(40), '/x'))).toBe(false);
    const dir = tempDir();
    writeFileSync(join(dir, 'secret.key'), 'short');
    expect(() => secretKey(undefined, dir)).toThrow(
      /does not hold a 32-byte key; restore it or set VIGIL_SECRET_KEY/,
    );
  });
});
