import { describe, expect, it } from 'vitest';
import { envelope, fitToBudget, includeHint } from './envelope.js';
import { decodeCursor, encodeCursor, fingerprint } from './pagination.js';

const items = Array.from({ length: 50 }, (_, i) => ({
  id: `P${i}`,
  name: `user ${i}`,
  bio: 'x'.repeat(200),
}));

describe('envelope', () => {
  it('counts and describes results, singular for one', () => {
    expect(envelope({ resource: 'users', items: items.slice(0, 1) }).metadata.description).toBe(
      'Found 1 result for resource type users',
    );
    const e = envelope({ resource: 'users', items });
    expect(e.metadata.count).toBe(50);
    expect(e.users).toHaveLength(50);
    expect(e.next_cursor).toBeUndefined();
  });

  it('adds next_cursor pointing after the page when there is more', () => {
    const print = fingerprint({ q: 'a' });
    const e = envelope({ resource: 'users', items, page: { offset: 100, more: true, fingerprint: print } });
    expect(decodeCursor(e.next_cursor, print)).toBe(150);
  });
});

describe('fitToBudget', () => {
  it('leaves an answer within budget untouched', () => {
    const { envelope: e, text } = fitToBudget({ resource: 'users', items }, 1_000_000, 'hint');
    expect(JSON.parse(text)).toEqual(e);
    expect(e.metadata.truncated).toBeUndefined();
    expect(e.users).toHaveLength(50);
  });

  it('cuts a long list to the longest prefix that fits and says so', () => {
    const print = fingerprint({});
    const budget = 3000;
    const { envelope: e, text } = fitToBudget(
      { resource: 'users', items, page: { offset: 0, more: false, fingerprint: print } },
      budget,
      'Narrow with `query`.',
    );
    const kept = (e.users as unknown[]).length;
    expect(text.length).toBeLessThanOrEqual(budget);
    expect(JSON.parse(text)).toEqual(e);
    expect(kept).toBeGreaterThan(1);
    expect(kept).toBeLessThan(50);
    // One more item would not have fitted.
    expect(text.length + JSON.stringify(items[kept]).length + 1).toBeGreaterThan(budget);
    expect(e.metadata.truncated).toBe(true);
    expect(e.metadata.count).toBe(kept);
    expect(String(e.metadata.hint)).toContain('Narrow with `query`.');
    expect(decodeCursor(e.next_cursor, print)).toBe(kept);
  });

  it("suggests `include` with a few of the tool's fields when it cuts a list", () => {
    const fields = ['id', 'type', 'name', 'email', 'bio', 'teams'];
    const { envelope: e } = fitToBudget({ resource: 'users', items }, 3000, 'Narrow with `query`.', fields);
    expect(e.metadata.truncated).toBe(true);
    expect(String(e.metadata.hint)).toContain('Narrow with `query`.');
    expect(String(e.metadata.hint)).toContain('`include: ["id","name","type"]`');
    // Within budget, no hint at all.
    expect(
      fitToBudget({ resource: 'users', items }, 1_000_000, 'x', fields).envelope.metadata.hint,
    ).toBeUndefined();
    // A tool without `include` is not told to use it.
    expect(String(fitToBudget({ resource: 'users', items }, 3000, 'x').envelope.metadata.hint)).not.toContain(
      'include',
    );
  });

  it('names the telling fields a tool has, else its first ones', () => {
    expect(includeHint(['id', 'incident_number', 'title', 'status', 'urgency', 'summary'])).toContain(
      '["id","title","status","summary"]',
    );
    expect(includeHint(['check_id', 'since', 'until', 'total'])).toContain('["check_id","since","until"]');
  });

  it('never drops the whole answer', () => {
    const { envelope: e } = fitToBudget({ resource: 'users', items }, 10, 'hint');
    expect(e.users).toHaveLength(1);
    expect(e.metadata.truncated).toBe(true);
  });
});

describe('cursors', () => {
  it('round-trips and refuses a cursor from another query or a forged one', () => {
    const a = fingerprint({ team: ['T1'] });
    const b = fingerprint({ team: ['T2'] });
    expect(a).not.toBe(b);
    expect(decodeCursor(encodeCursor(42, a), a)).toBe(42);
    expect(() => decodeCursor(encodeCursor(42, a), b)).toThrow(/other filters/);
    expect(() => decodeCursor('garbage!!', a)).toThrow(/not a cursor/);
    expect(() => decodeCursor(Buffer.from('{"o":-1,"f":"x"}').toString('base64url'), 'x')).toThrow(
      /not a cursor/,
    );
    expect(decodeCursor(undefined, a)).toBe(0);
  });

  it('ignores undefined filters in the fingerprint', () => {
    expect(fingerprint({ a: 1, b: undefined })).toBe(fingerprint({ a: 1 }));
  });
});
