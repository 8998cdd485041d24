import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log.js';
import { toErrorResult } from './call-tool.js';

const ctx = { log: silentLogger() };
const fault = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('toErrorResult', () => {
  it('says a storage fault as it is, with its cause, and that nothing was changed', () => {
    const r = toErrorResult(fault('SQLITE_FULL', 'database or disk is full'), ctx, 'create_user');
    expect(r.isError).toBe(true);
    expect(r.structuredContent).toMatchObject({
      error: {
        code: 'INTERNAL',
        message: expect.stringMatching(
          /disk holding the SQLite database is full.*SQLITE_FULL.*Nothing was changed/,
        ),
      },
    });
  });

  it('keeps anything else generic, with an id to find it in the log', () => {
    const r = toErrorResult(
      new TypeError("Cannot read properties of undefined (reading 'x')"),
      ctx,
      'get_users',
    );
    const message = (r.structuredContent as { error: { message: string } }).error.message;
    expect(message).toMatch(/^Internal error \(id [0-9a-f]{8}\)/);
    expect(message).not.toContain('Cannot read');
  });
});
