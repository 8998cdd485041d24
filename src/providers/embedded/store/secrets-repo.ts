/**
 * Secrets on the embedded store, encrypted with AES-256-GCM. The key comes from VIGIL_SECRET_KEY
 * or, without it, from a key file generated in the data directory (readable by its owner only).
 * Several nodes sharing one PostgreSQL database must share VIGIL_SECRET_KEY.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../../core/clock.js';
import type { Page } from '../../../core/directory.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../core/errors.js';
import type { CheckSecret, Secret, SecretsPort } from '../../../core/secrets.js';
import { newId } from './ids.js';
import { page } from './repo-helpers.js';
import type { Database, SecretsTable } from './schema.js';
import { uniquely } from './sql-errors.js';

const KEY_FILE = 'secret.key';

/** The 32-byte key: from the configured text, or the key file (made on first use). */
export function secretKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return createHash('sha256').update(configured).digest();
  const file = join(dataDir, KEY_FILE);
  try {
    return readKey(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  // Written whole under a temporary name, then linked into place: another process sees either no
  // key file or a complete one, and the first link wins.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temp, randomBytes(32).toString('base64url'), { mode: 0o600 });
  try {
    linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temp);
  }
  return readKey(file);
}

function readKey(file: string): Buffer {
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  if (key.length !== 32)
    throw new Error(`${file} does not hold a 32-byte key; restore it or set VIGIL_SECRET_KEY.`);
  return key;
}

export class SecretRepository implements SecretsPort {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    /** Read on first use, so no key file is made until a secret is. */
    private readonly keyOf: () => Buffer,
  ) {}

  private cached: Buffer | undefined;
  private get key(): Buffer {
    this.cached ??= this.keyOf();
    return this.cached;
  }

  async listSecrets(limit: number, offset: number): Promise<Page<Secret>> {
    const rows = await this.db
      .selectFrom('secrets')
      .selectAll()
      .orderBy('name')
      .limit(limit + 1)
      .offset(offset)
      .execute();
    const p = page(rows, limit);
    return { items: p.items.map((r) => this.toSecret(r, false)), more: p.more };
  }

  async getSecret(id: string, withValue: boolean): Promise<Secret | undefined> {
    const row = await this.db.selectFrom('secrets').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.toSecret(row, withValue) : undefined;
  }

  async createSecret(name: string, value: string): Promise<Secret> {
    const id = newId();
    const at = new Date(this.clock.now()).toISOString();
    await uniquely(`A secret named '${name}' already exists.`, 'secret_name', () =>
      this.db
        .insertInto('secrets')
        .values({ id, name, ciphertext: this.seal(value), created_at: at, updated_at: at })
        .execute(),
    );
    return (await this.getSecret(id, false)) as Secret;
  }

  async updateSecret(id: string, value: string): Promise<Secret> {
    const result = await this.db
      .updateTable('secrets')
      .set({ ciphertext: this.seal(value), updated_at: new Date(this.clock.now()).toISOString() })
      .where('id', '=', id)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw new NotFoundError('secret', id, 'secret_id');
    return (await this.getSecret(id, false)) as Secret;
  }

  async deleteSecret(id: string): Promise<void> {
    const result = await this.db.deleteFrom('secrets').where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new NotFoundError('secret', id, 'secret_id');
  }

  async checkSecrets(checkId: string): Promise<CheckSecret[]> {
    await this.mustHaveCheck(this.db, checkId);
    const rows = await this.db
      .selectFrom('check_secrets')
      .innerJoin('secrets', 'secrets.id', 'check_secrets.secret_id')
      .select(['check_secrets.secret_id', 'check_secrets.env_variable', 'secrets.name'])
      .where('check_secrets.check_id', '=', checkId)
      .orderBy('check_secrets.env_variable')
      .execute();
    return rows.map((r) => ({
      secret_id: r.secret_id,
      env_variable: r.env_variable,
      secret: { secret_name: r.name },
    }));
  }

  async setCheckSecrets(checkId: string, secrets: { secret_id: string; env_variable: string }[]) {
    await this.db.transaction().execute(async (trx) => {
      await this.mustHaveCheck(trx, checkId);
      await this.mustHaveSecrets(
        trx,
        secrets.map((s) => s.secret_id),
      );
      const names = secrets.map((s) => s.env_variable);
      const twice = names.find((n, i) => names.indexOf(n) !== i);
      if (twice) {
        throw new ValidationError(`env_variable '${twice}' is given twice.`, { parameter: 'secrets' });
      }
      await trx.deleteFrom('check_secrets').where('check_id', '=', checkId).execute();
      if (secrets.length) {
        await trx
          .insertInto('check_secrets')
          .values(
            secrets.map((s) => ({ check_id: checkId, secret_id: s.secret_id, env_variable: s.env_variable })),
          )
          .execute();
      }
    });
    return this.checkSecrets(checkId);
  }

  async addCheckSecret(checkId: string, secretId: string, envVariable: string) {
    const current = (await this.checkSecrets(checkId)).filter((s) => s.secret_id !== secretId);
    if (current.some((s) => s.env_variable === envVariable)) {
      throw new ConflictError(`The check already has a secret as ${envVariable}.`, {
        parameter: 'env_var_name',
      });
    }
    return this.setCheckSecrets(checkId, [
      ...current.map((s) => ({ secret_id: s.secret_id, env_variable: s.env_variable })),
      { secret_id: secretId, env_variable: envVariable },
    ]);
  }

  async removeCheckSecret(checkId: string, secretId: string): Promise<void> {
    await this.mustHaveCheck(this.db, checkId);
    const result = await this.db
      .deleteFrom('check_secrets')
      .where('check_id', '=', checkId)
      .where('secret_id', '=', secretId)
      .executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new NotFoundError('secret on this check', secretId, 'secret_id');
  }

  /** A check's secrets as variables for its requests, decrypted. */
  async variablesFor(checkId: string): Promise<Record<string, string>> {
    const rows = await this.db
      .selectFrom('check_secrets')
      .innerJoin('secrets', 'secrets.id', 'check_secrets.secret_id')
      .select(['check_secrets.env_variable', 'secrets.ciphertext'])
      .where('check_secrets.check_id', '=', checkId)
      .execute();
    return Object.fromEntries(rows.map((r) => [r.env_variable, this.open(r.ciphertext)]));
  }

  private seal(value: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url');
  }

  private open(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12), { authTagLength: 16 });
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  private toSecret(r: SecretsTable, withValue: boolean): Secret {
    return {
      id: r.id,
      secret_name: r.name,
      ...(withValue && { secret_value: this.open(r.ciphertext) }),
      created_at: r.created_at,
      updated_at: r.updated_at,
    };
  }

  private async mustHaveCheck(db: Kysely<Database> | Transaction<Database>, checkId: string) {
    const found = await db.selectFrom('checks').select('id').where('id', '=', checkId).executeTakeFirst();
    if (!found) throw new NotFoundError('check', checkId, 'check_id');
  }

  private async mustHaveSecrets(trx: Transaction<Database>, ids: string[]) {
    if (ids.length === 0) return;
    const found = new Set(
      (await trx.selectFrom('secrets').select('id').where('id', 'in', ids).execute()).map((r) => r.id),
    );
    const missing = ids.find((id) => !found.has(id));
    if (missing) throw new NotFoundError('secret', missing, 'secret_id');
  }
}
