/**
 * Parameter schemas shared by every toolset: ids, id lists, paging, `include`,
 * `current_user_context`. One place, so every tool spells and validates them alike.
 */
import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../core/pagination.js';

/** A PagerDuty-style resource id: letters and digits only. */
export const id = (what: string) =>
  z
    .string()
    .min(1, `${what} cannot be empty`)
    .max(64, `${what} is longer than any id`)
    .regex(/^[A-Za-z0-9]+$/, {
      error: (iss) =>
        `Invalid ${what} format: '${String(iss.input)}'. Must contain only alphanumeric characters.`,
    })
    .describe(`The ${what.replace(/_id$/, '').replace(/_/g, ' ')} ID.`);

export const ids = (what: string) =>
  z
    .array(id(what))
    .max(MAX_LIMIT)
    .describe(`Filter by these ${what.replace(/_id$/, '').replace(/_/g, ' ')} IDs.`);

export const limit = z
  .number()
  .int()
  .min(1)
  .max(MAX_LIMIT)
  .describe(`Most results to return (default ${DEFAULT_LIMIT}, max ${MAX_LIMIT}).`);

export const cursor = z
  .string()
  .max(512)
  .describe('`next_cursor` from a previous answer, for the next page.');

export const include = z
  .array(z.string().max(64))
  .max(64)
  .describe('Only these fields of each result (names: resource docs://tools).');

export const query = z.string().max(256).describe('Case-insensitive text to match in names (and emails).');

export const currentUserContext = z
  .boolean()
  .default(true)
  .describe("Filter by the current user's context (their teams, services, escalation policies).");

export const SEE_DOCS = 'See `docs://tools` for more information.';

/**
 * Fails a write that names nothing to change. `fields` are the fields given besides `idName`;
 * with `inside`, they are the fields of the object parameter `idName` (`heartbeat_data`).
 */
export function requireChange(fields: Record<string, unknown>, idName: string, inside = false): void {
  if (Object.values(fields).some((v) => v !== undefined)) return;
  throw new ValidationError(
    inside
      ? `Nothing to update: ${idName} has no fields.`
      : `Nothing to update: pass at least one field besides \`${idName}\`.`,
    { parameter: idName },
  );
}
