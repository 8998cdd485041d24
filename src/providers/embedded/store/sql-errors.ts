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
