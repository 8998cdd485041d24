/**
 * Paging for the Pingera family of tools: the seed's `page`/`page_size` beside Vigil's
 * `limit`/`cursor`, so a caller of either server pages the way it knows.
 */
import { z } from 'zod';
import type { PageInfo } from '../core/envelope.js';
import { ValidationError } from '../core/errors.js';
import { DEFAULT_LIMIT, decodeCursor, fingerprint, MAX_LIMIT } from '../core/pagination.js';

export const page = z.number().int().min(1).max(1_000_000).describe('Page number, from 1 (or use `cursor`).');
export const pageSize = z
  .number()
  .int()
  .min(1)
  .max(MAX_LIMIT)
  .describe(`Results per page (default ${DEFAULT_LIMIT}, max ${MAX_LIMIT}); the same as limit.`);

export interface PagingArgs {
  page?: number | undefined;
  page_size?: number | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** The offset and limit a call asks for, and the page info its answer carries (with the port's notice, if any). */
export function paging(args: PagingArgs, filters: Record<string, unknown>) {
  if (args.cursor !== undefined && args.page !== undefined) {
    throw new ValidationError('Pass `page` or `cursor`, not both.', { parameter: 'cursor' });
  }
  if (args.limit !== undefined && args.page_size !== undefined) {
    throw new ValidationError('Pass `page_size` or `limit`, not both: they mean the same.', {
      parameter: 'page_size',
    });
  }
  const limit = args.page_size ?? args.limit ?? DEFAULT_LIMIT;
  const print = fingerprint(filters);
  const offset =
    args.cursor !== undefined ? decodeCursor(args.cursor, print) : ((args.page ?? 1) - 1) * limit;
  return {
    limit,
    offset,
    info: (page: { more: boolean; notice?: string | undefined }): PageInfo => ({
      offset,
      more: page.more,
      fingerprint: print,
      notice: page.notice,
    }),
  };
}
