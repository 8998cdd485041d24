/**
 * Where PagerDuty OAuth tokens are kept between runs. The OS keyring comes first, under the
 * seed's own entries (service `pagerduty_mcp_server`, accounts `oauth_token`, `token_expiry`,
 * `refresh_token`), so a login made with the Python server carries over. Where no keyring is
 * usable (headless Linux without a Secret Service), a JSON file in VIGIL_DATA_DIR with mode 0600
 * takes its place; the seed failed there and asked for an extra Python package.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { UnauthorizedError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';

export interface StoredTokens {
  access_token: string;
  /** When the access token expires, epoch milliseconds. */
  expires_at: number;
  refresh_token?: string | undefined;
}

export interface TokenStore {
  load(): Promise<StoredTokens | undefined>;
  /** Replaces everything stored: a missing refresh_token removes a stored one. */
  save(tokens: StoredTokens): Promise<void>;
  clear(): Promise<void>;
}

/** The seed's keyring entries (auth.py); changing them breaks carrying a seed login over. */
export const KEYRING_SERVICE = 'pagerduty_mcp_server';
const KEY_ACCESS_TOKEN = 'oauth_token';
const KEY_TOKEN_EXPIRY = 'token_expiry';
const KEY_REFRESH_TOKEN = 'refresh_token';
const KEY_PROBE = 'vigil_keyring_probe';

export const TOKEN_FILE_NAME = 'pagerduty-oauth.json';

/** A keyring entry as `@napi-rs/keyring`'s AsyncEntry offers it; tests pass an in-memory one. */
export interface KeyringEntry {
  getPassword(): Promise<string | null | undefined>;
  setPassword(password: string): Promise<void>;
  deletePassword(): Promise<boolean>;
}

export type KeyringEntryFactory = (account: string) => KeyringEntry;

/**
 * The OS keyring. On Linux the entries are pinned to the Secret Service: the library's fallback,
 * the kernel keyring, forgets everything at logout, which the file below does better.
 */
export async function osKeyring(): Promise<KeyringEntryFactory> {
  const { AsyncEntry } = await import('@napi-rs/keyring');
  const options = process.platform === 'linux' ? { linux: { store: 'secret-service' as const } } : undefined;
  return (account) => new AsyncEntry(KEYRING_SERVICE, account, options);
}

function keyringFailure(err: unknown): UnauthorizedError {
  return new UnauthorizedError(
    `Keyring access failed: ${errorText(err)}. Unlock the OS keyring, or set PAGERDUTY_API_TOKEN instead.`,
  );
}

export class KeyringTokenStore implements TokenStore {
  constructor(private readonly entry: KeyringEntryFactory) {}

  async load(): Promise<StoredTokens | undefined> {
    try {
      const accessToken = await this.entry(KEY_ACCESS_TOKEN).getPassword();
      if (!accessToken) return undefined;
      const expiry = Number(await this.entry(KEY_TOKEN_EXPIRY).getPassword());
      const refreshToken = await this.entry(KEY_REFRESH_TOKEN).getPassword();
      return {
        access_token: accessToken,
        // The seed writes epoch seconds as a float string; a missing or bad one means expired, as there.
        expires_at: Number.isFinite(expiry) && expiry > 0 ? Math.round(expiry * 1000) : 0,
        ...(refreshToken ? { refresh_token: refreshToken } : {}),
      };
    } catch (err) {
      throw keyringFailure(err);
    }
  }

  async save(tokens: StoredTokens): Promise<void> {
    try {
      await this.entry(KEY_ACCESS_TOKEN).setPassword(tokens.access_token);
      await this.entry(KEY_TOKEN_EXPIRY).setPassword(String(tokens.expires_at / 1000));
      if (tokens.refresh_token) await this.entry(KEY_REFRESH_TOKEN).setPassword(tokens.refresh_token);
      else await this.entry(KEY_REFRESH_TOKEN).deletePassword();
    } catch (err) {
      throw keyringFailure(err);
    }
  }

  async clear(): Promise<void> {
    try {
      for (const key of [KEY_ACCESS_TOKEN, KEY_TOKEN_EXPIRY, KEY_REFRESH_TOKEN]) {
        await this.entry(key).deletePassword();
      }
    } catch (err) {
      throw keyringFailure(err);
    }
  }
}

const FileContents = z.object({
  access_token: z.string().min(1),
  expires_at: z.number(),
  refresh_token: z.string().min(1).optional(),
});

/** `<dataDir>/pagerduty-oauth.json`, mode 0600, replaced atomically on every save. */
export class FileTokenStore implements TokenStore {
  readonly path: string;

  constructor(
    dataDir: string,
    private readonly log: Logger,
  ) {
    this.path = join(dataDir, TOKEN_FILE_NAME);
  }

  async load(): Promise<StoredTokens | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
      await this.tightenMode();
    } catch (err) {
      if (isCode(err, 'ENOENT')) return undefined;
      throw this.failure('read', err);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = FileContents.safeParse(json);
    if (!parsed.success) {
      // A damaged file only costs a new login, which overwrites it.
      this.log.warn({ path: this.path }, 'ignoring an unreadable PagerDuty OAuth token file');
      return undefined;
    }
    return parsed.data;
  }

  async save(tokens: StoredTokens): Promise<void> {
    const contents: StoredTokens = { access_token: tokens.access_token, expires_at: tokens.expires_at };
    if (tokens.refresh_token) contents.refresh_token = tokens.refresh_token;
    const temp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      // Created 0600 before the secret is written, so it is never readable by others, even briefly.
      const file = await open(temp, 'wx', 0o600);
      try {
        await file.writeFile(`${JSON.stringify(contents)}\n`, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, this.path);
    } catch (err) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw this.failure('write', err);
    }
  }

  async clear(): Promise<void> {
    try {
      await rm(this.path, { force: true });
    } catch (err) {
      throw this.failure('delete', err);
    }
  }

  /** A token file someone made group- or world-readable is put back to 0600. */
  private async tightenMode(): Promise<void> {
    if (process.platform === 'win32') return;
    const { mode } = await stat(this.path);
    if ((mode & 0o077) !== 0) {
      this.log.warn({ path: this.path }, 'PagerDuty OAuth token file was readable by others; set it to 0600');
      await chmod(this.path, 0o600);
    }
  }

  private failure(action: string, err: unknown): UnauthorizedError {
    return new UnauthorizedError(
      `Cannot ${action} the PagerDuty OAuth token file ${this.path}: ${errorText(err)}. Make VIGIL_DATA_DIR writable by this user, or set PAGERDUTY_API_TOKEN instead.`,
    );
  }
}

export interface OpenTokenStoreOptions {
  dataDir: string;
  log: Logger;
  /** The keyring to probe; defaults to the OS keyring. */
  keyring?: () => Promise<KeyringEntryFactory>;
  /** How long the probe may take before the keyring counts as unusable. */
  probeTimeoutMs?: number;
}

/**
 * The keyring when a test entry can be written, read back and deleted; otherwise the file. Any
 * failure (no D-Bus session, no Secret Service, a locked or missing native module) picks the file.
 */
export async function openTokenStore(options: OpenTokenStoreOptions): Promise<TokenStore> {
  const { dataDir, log } = options;
  try {
    const entry = await withTimeout(
      probeKeyring(options.keyring ?? osKeyring),
      options.probeTimeoutMs ?? 30_000,
      'the keyring did not answer',
    );
    log.info({ service: KEYRING_SERVICE }, 'PagerDuty OAuth tokens are kept in the OS keyring');
    return new KeyringTokenStore(entry);
  } catch (err) {
    const store = new FileTokenStore(dataDir, log);
    log.info(
      { path: store.path, reason: errorText(err) },
      'OS keyring unavailable; PagerDuty OAuth tokens are kept in a file readable only by this user',
    );
    return store;
  }
}

async function probeKeyring(load: () => Promise<KeyringEntryFactory>): Promise<KeyringEntryFactory> {
  const entry = await load();
  const probe = entry(KEY_PROBE);
  const value = randomBytes(8).toString('hex');
  await probe.setPassword(value);
  const readBack = await probe.getPassword();
  await probe.deletePassword();
  if (readBack !== value) throw new Error('the keyring returned a different value than was stored');
  return entry;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
