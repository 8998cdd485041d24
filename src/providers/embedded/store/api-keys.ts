/**
 * API keys: shown once at creation, stored as a SHA-256 hash, compared in constant time. A key
 * carries a mode, optional toolsets and optionally the user it acts as.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { NotFoundError, ValidationError } from '../../../core/errors.js';
import type { Mode } from '../../../core/principal.js';
import { now } from './ids.js';
import type { Database } from './schema.js';

export const KEY_PREFIX = 'vgl_';

export interface ApiKeyInfo {
  id: string;
  name: string;
  mode: Mode;
  toolsets?: string[];
  user_id?: string;
  created_at: string;
  last_used_at?: string;
  revoked_at?: string;
}

const hash = (key: string) => createHash('sha256').update(key).digest();

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(KEY_PREFIX);
}

/** `last_used_at` is a hint, not an audit log: write it at most this often per key. */
const TOUCH_INTERVAL_MS = 60_000;

export class ApiKeyRepository {
  private readonly touched = new Map<string, number>();

  constructor(private readonly db: Kysely<Database>) {}

  /** Creates a key and returns it with its plain text, which is never stored or shown again. */
  async create(input: {
    name: string;
    mode: Mode;
    toolsets?: string[];
    userId?: string;
  }): Promise<ApiKeyInfo & { key: string }> {
    if (!input.name.trim()) throw new ValidationError('A key needs a --name.', { parameter: 'name' });
    const id = randomBytes(6).toString('hex');
    const key = `${KEY_PREFIX}${id}_${randomBytes(24).toString('base64url')}`;
    const created_at = now();
    await this.db
      .insertInto('api_keys')
      .values({
        id,
        name: input.name.trim(),
        hash: hash(key).toString('hex'),
        mode: input.mode,
        toolsets: input.toolsets?.length ? JSON.stringify(input.toolsets) : null,
        user_id: input.userId ?? null,
        created_at,
        last_used_at: null,
        revoked_at: null,
      })
      .execute();
    return {
      id,
      name: input.name.trim(),
      mode: input.mode,
      ...(input.toolsets && { toolsets: input.toolsets }),
      ...(input.userId && { user_id: input.userId }),
      created_at,
      key,
    };
  }

  /** The active key matching `key`, or undefined. Constant-time in the secret part. */
  async verify(key: string): Promise<ApiKeyInfo | undefined> {
    const match = /^vgl_([0-9a-f]{12})_[A-Za-z0-9_-]{32}$/.exec(key);
    if (!match?.[1]) return undefined;
    const row = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', match[1])
      .executeTakeFirst();
    const expected = row ? Buffer.from(row.hash, 'hex') : Buffer.alloc(32);
    const ok = timingSafeEqual(expected, hash(key));
    if (!row || !ok || row.revoked_at) return undefined;
    return toInfo(row);
  }

  /** Records that a key was used, at most once a minute per key (a write per request would cost an fsync). */
  async touch(id: string): Promise<void> {
    const at = Date.now();
    if (at - (this.touched.get(id) ?? 0) < TOUCH_INTERVAL_MS) return;
    this.touched.set(id, at);
    await this.db.updateTable('api_keys').set({ last_used_at: now() }).where('id', '=', id).execute();
  }

  async list(): Promise<ApiKeyInfo[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
    return rows.map(toInfo);
  }

  async revoke(idOrName: string): Promise<ApiKeyInfo> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .where('revoked_at', 'is', null)
      .execute();
    if (rows.length === 0) throw new NotFoundError('active API key', idOrName);
    if (rows.length > 1)
      throw new ValidationError(`Several active keys are named '${idOrName}'; revoke by id.`);
    const row = rows[0] as (typeof rows)[number];
    const revoked_at = now();
    await this.db.updateTable('api_keys').set({ revoked_at }).where('id', '=', row.id).execute();
    return toInfo({ ...row, revoked_at });
  }

  async hasActiveKeys(): Promise<boolean> {
    const row = await this.db
      .selectFrom('api_keys')
      .select('id')
      .where('revoked_at', 'is', null)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}

function toInfo(row: Database['api_keys']): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    mode: row.mode,
    ...(row.toolsets && { toolsets: JSON.parse(row.toolsets) as string[] }),
    ...(row.user_id && { user_id: row.user_id }),
    created_at: row.created_at,
    ...(row.last_used_at && { last_used_at: row.last_used_at }),
    ...(row.revoked_at && { revoked_at: row.revoked_at }),
  };
}
