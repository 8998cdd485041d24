/**
 * Seed-style paging: a page's notice (a provider that could not list everything) reaches the
 * answer's metadata beside the next cursor.
 */
import { describe, expect, it } from 'vitest';
import { envelope } from '../core/envelope.js';
import { paging } from './paging.js';

describe('paging', () => {
  it('turns page and page_size into an offset, and carries the port page’s notice into metadata', () => {
    const paged = paging({ page: 3, page_size: 10 }, { status: 'up' });
    expect([paged.offset, paged.limit]).toEqual([20, 10]);
    const info = paged.info({ more: true, notice: 'Only the first 5000 were searched.' });
    const out = envelope({ resource: 'heartbeats', items: [{ id: 'a' }], page: info });
    expect(out.metadata).toMatchObject({ count: 1, notice: 'Only the first 5000 were searched.' });
    expect(out.next_cursor).toEqual(expect.any(String));
    expect(
      envelope({ resource: 'heartbeats', items: [], page: paged.info({ more: false }) }).metadata,
    ).not.toHaveProperty('notice');
  });
});
