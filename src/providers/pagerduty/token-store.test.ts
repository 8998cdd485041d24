import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import {
  FileTokenStore,
  type KeyringEntry,
  type KeyringEntryFactory,
  KeyringTokenStore,
  openTokenStore,
} from './token-store.js';

/** An in-memory keyring with the seed's layout: one password per account. */
function memoryKeyring(
  entries = new Map<string, string>(),
): KeyringEntryFactory & { entries: Map<string, string> } {
  const factory = (account: string): KeyringEntry => ({
    getPassword: async () => entries.get(account) ?? null,
    setPassword: async (password) => {
      entries.set(account, password);
    },
    deletePassword: async () => entries.delete(account),
  });
  return Object.assign(factory, { entries });
}

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-pd-tokens-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openTokenStore', () => {
  it('uses the keyring when a probe entry can be written, read and deleted', async () => {
    const keyring = memoryKeyring();
    const store = await openTokenStore({ dataDir: dir, log: silentLogger(), keyring: async () => keyring });
    expect(store).toBeInstanceOf(KeyringTokenStore);
    expect(keyring.entries.size).toBe(0);
  });

  it('falls back to the file when the keyring fails (headless Linux without a Secret Service)', async () => {
    const store = await openTokenStore({
      dataDir: dir,
      log: silentLogger(),
      keyring: async () => () => {
        throw new Error('DBus error: no session bus');
      },
    });
    expect(store).toBeInstanceOf(FileTokenStore);
    expect((store as FileTokenStore).path).toBe(join(dir, 'pagerduty-oauth.json'));
  });

  it('falls back to the file when the keyring hangs', async () => {
    const hanging: KeyringEntry = {
      getPassword: () => new Promise(() => undefined),
      setPassword: () => new Promise(() => undefined),
      deletePassword: () => new Promise(() => undefined),
    };
    const store = await openTokenStore({
      dataDir: dir,
      log: silentLogger(),
      keyring: async () => () => hanging,
      probeTimeoutMs: 50,
    });
    expect(store).toBeInstanceOf(FileTokenStore);
  });

  it('falls back to the file when the keyring returns something else than was stored', async () => {
    const liar: KeyringEntry = {
      getPassword: async () => 'something else',
      setPassword: async () => undefined,
      deletePassword: async () => true,
    };
    const store = await openTokenStore({
      dataDir: dir,
      log: silentLogger(),
      keyring: async () => () => liar,
    });
    expect(store).toBeInstanceOf(FileTokenStore);
  });
});

describe('KeyringTokenStore', () => {
  it('reads a login the seed stored: epoch seconds as a float string', async () => {
    const keyring = memoryKeyring(
      new Map([
        ['oauth_token', 'pdus+_seed'],
        ['token_expiry', '1712345678.5'],
        ['refresh_token', 'seed-refresh'],
      ]),
    );
    expect(await new KeyringTokenStore(keyring).load()).toEqual({
      access_token: 'pdus+_seed',
      expires_at: 1_712_345_678_500,
      refresh_token: 'seed-refresh',
    });
  });

  it('treats a missing or bad expiry as expired, as the seed does', async () => {
    const keyring = memoryKeyring(new Map([['oauth_token', 'tok']]));
    expect(await new KeyringTokenStore(keyring).load()).toEqual({ access_token: 'tok', expires_at: 0 });
    keyring.entries.set('token_expiry', 'soon');
    expect((await new KeyringTokenStore(keyring).load())?.expires_at).toBe(0);
  });

  it('writes the seed layout, drops a refresh token that is no longer there, and clears all three', async () => {
    const keyring = memoryKeyring();
    const store = new KeyringTokenStore(keyring);
    await store.save({ access_token: 'a', expires_at: 1_712_345_678_000, refresh_token: 'r' });
    expect(Object.fromEntries(keyring.entries)).toEqual({
      oauth_token: 'a',
      token_expiry: '1712345678',
      refresh_token: 'r',
    });

    await store.save({ access_token: 'b', expires_at: 1_712_345_679_250 });
    expect(Object.fromEntries(keyring.entries)).toEqual({ oauth_token: 'b', token_expiry: '1712345679.25' });

    await store.clear();
    expect(keyring.entries.size).toBe(0);
    expect(await store.load()).toBeUndefined();
  });

  it('turns keyring failures into an UnauthorizedError that says what to do', async () => {
    const store = new KeyringTokenStore(() => ({
      getPassword: async () => {
        throw new Error('collection is locked');
      },
      setPassword: async () => undefined,
      deletePassword: async () => true,
    }));
    const error = await store.load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as Error).message).toBe(
      'Keyring access failed: collection is locked. Unlock the OS keyring, or set PAGERDUTY_API_TOKEN instead.',
    );
  });
});

describe('FileTokenStore', () => {
  const posix = process.platform !== 'win32';

  it('saves with mode 0600 in a 0700 directory it creates, atomically, and reads back', async () => {
    const dataDir = join(dir, 'nested', 'data');
    const store = new FileTokenStore(dataDir, silentLogger());
    const tokens = { access_token: 'a', expires_at: 123, refresh_token: 'r' };
    await store.save(tokens);

    if (posix) {
      expect((await stat(store.path)).mode & 0o777).toBe(0o600);
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    }
    expect(await readdir(dataDir)).toEqual(['pagerduty-oauth.json']);
    expect(await new FileTokenStore(dataDir, silentLogger()).load()).toEqual(tokens);

    await store.save({ access_token: 'b', expires_at: 456 });
    expect(JSON.parse(await readFile(store.path, 'utf8'))).toEqual({ access_token: 'b', expires_at: 456 });
    expect(await readdir(dataDir)).toEqual(['pagerduty-oauth.json']);
  });

  it('has nothing before the first save and after clear; clear twice is fine', async () => {
    const store = new FileTokenStore(dir, silentLogger());
    expect(await store.load()).toBeUndefined();
    await store.save({ access_token: 'a', expires_at: 1 });
    await store.clear();
    await store.clear();
    expect(await store.load()).toBeUndefined();
  });

  it('ignores a damaged file', async () => {
    const store = new FileTokenStore(dir, silentLogger());
    await writeFile(store.path, '{"access_token": 12', { mode: 0o600 });
    expect(await store.load()).toBeUndefined();
  });

  it.runIf(posix)('puts a file readable by others back to 0600', async () => {
    const store = new FileTokenStore(dir, silentLogger());
    await store.save({ access_token: 'a', expires_at: 1 });
    await chmod(store.path, 0o644);
    await store.load();
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
  });

  it('says which file and which variable when it cannot write', async () => {
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, '');
    const error = await new FileTokenStore(blocker, silentLogger())
      .save({ access_token: 'a', expires_at: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as Error).message).toContain(`Cannot write the PagerDuty OAuth token file ${blocker}`);
    expect((error as Error).message).toContain('VIGIL_DATA_DIR');
  });
});
