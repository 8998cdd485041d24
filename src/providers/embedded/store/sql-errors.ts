/**
 * Driver errors translated into the error hierarchy, for both SQLite and PostgreSQL.
 */
import { ConflictError } from '../../../core/errors.js';

export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** Runs `fn`, turning a unique-constraint violation into a CONFLICT with `message`. */
export async function uniquely<T>(message: string, parameter: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(message, { parameter });
    throw err;
  }
}

/** `%text%` for LIKE, with the wildcards in `text` escaped (use with `escape '\'`). */
export function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * What a storage fault means, in one sentence naming the driver's own code and message, or
 * undefined for an error that is not one (a constraint, a bug). A fault is the store being
 * unable to write or answer: a full disk, a read-only file, a lock held too long, a lost or
 * refused PostgreSQL connection. Nothing of the failed write was stored.
 */
export function storageFault(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = String((err as { code?: unknown }).code ?? '');
  const cause = `${code ? `${code}: ` : ''}${err.message}`;
  const reason = sqliteFault(code) ?? FILE_FAULTS[code] ?? postgresFault(code, err.message);
  return reason && `${reason} (${cause}).`;
}

/** Errors of the file system under the data directory (creating it, or the lock file). */
const FILE_FAULTS: Record<string, string> = {
  ENOSPC: 'The disk holding the data directory is full',
  EROFS: 'The data directory is on a read-only file system',
  EACCES: 'Vigil may not write to the data directory',
};

function sqliteFault(code: string): string | undefined {
  if (!code.startsWith('SQLITE_')) return undefined;
  if (code === 'SQLITE_FULL') return 'The disk holding the SQLite database is full';
  if (code.startsWith('SQLITE_READONLY'))
    return 'The SQLite database is read-only to Vigil: make the data directory and its files writable by the user Vigil runs as (and restart Vigil if they were read-only when it started)';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return 'The SQLite database stayed locked by another connection or process';
  if (code.startsWith('SQLITE_IOERR')) return 'The SQLite database could not be read or written';
  if (code.startsWith('SQLITE_CANTOPEN')) return 'The SQLite database file cannot be opened';
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') return 'The SQLite database file is damaged';
  return undefined;
}

/** Client-side messages of `pg` for a connection that is gone or never came. */
const PG_CONNECTION_LOST =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Query read timeout/;
/** Socket errors from Node's `net`. */
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

function postgresFault(code: string, message: string): string | undefined {
  // SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57P admin/crash shutdown.
  if (code === '53100') return 'The disk holding the PostgreSQL database is full';
  if (code === '25006') return 'The PostgreSQL server is read-only (a standby, or in recovery)';
  if (code === '57014') return 'The PostgreSQL statement took too long and was cancelled';
  if (
    code.startsWith('08') ||
    code.startsWith('57P') ||
    NET_CODES.has(code) ||
    PG_CONNECTION_LOST.test(message)
  )
    return 'The connection to PostgreSQL was lost or refused';
  if (code.startsWith('53')) return 'The PostgreSQL server is out of resources';
  return undefined;
}
