import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { applyInclude, compact, suggest, validateInclude } from './include.js';

const FIELDS = ['id', 'name', 'email', 'teams'];

describe('include', () => {
  it('accepts known names and no include at all', () => {
    expect(() => validateInclude(['id', 'name'], FIELDS)).not.toThrow();
    expect(() => validateInclude(undefined, FIELDS)).not.toThrow();
  });

  it('rejects unknown names with a did-you-mean', () => {
    let err: unknown;
    try {
      validateInclude(['naem', 'zzz'], FIELDS);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    const message = (err as ValidationError).message;
    expect(message).toContain("Invalid include fields: 'naem', 'zzz'");
    expect(message).toContain("'naem' -> 'name'");
    expect((err as ValidationError).details).toMatchObject({
      parameter: 'include',
      invalid: ['naem', 'zzz'],
    });
  });

  it('keeps only the named fields, and nothing for an empty list', () => {
    const items = [{ id: '1', name: 'a', email: 'e' }];
    expect(applyInclude(items, ['id', 'email'])).toEqual([{ id: '1', email: 'e' }]);
    expect(applyInclude(items, [])).toEqual([{}]);
    expect(applyInclude(items, undefined)).toEqual(items);
  });

  it('leaves out null, undefined and empty-string fields at every depth, keeping arrays', () => {
    const item = {
      id: '1',
      url: null,
      headline: '',
      zero: 0,
      off: false,
      gone: undefined,
      group: { id: 'g', name: '', parent: { id: null } },
      tags: [],
      pings: [{ exit_code: null, kind: 'success' }, null, ''],
    };
    expect(applyInclude([item], undefined)).toEqual([
      {
        id: '1',
        zero: 0,
        off: false,
        group: { id: 'g', parent: {} },
        tags: [],
        pings: [{ kind: 'success' }, null, ''],
      },
    ]);
    expect(Object.keys(applyInclude([item], undefined)[0] as object)).not.toContain('url');
    // The item itself is not changed.
    expect(item.url).toBeNull();
    expect(compact(new Date(0))).toEqual(new Date(0));
  });

  it('keeps a field `include` or `keep` names even when empty, compacting inside it', () => {
    const item = { id: '1', url: null, headline: '', group: { id: 'g', name: null }, notes: null };
    expect(applyInclude([item], ['id', 'url', 'headline', 'group'])).toEqual([
      { id: '1', url: null, headline: '', group: { id: 'g' } },
    ]);
    // A name the item lacks stays absent rather than made up.
    expect(applyInclude([item], ['missing'])).toEqual([{}]);
    expect(applyInclude([item], undefined, ['notes'])).toEqual([
      { id: '1', group: { id: 'g' }, notes: null },
    ]);
    expect(applyInclude([item], ['id'], ['notes'])).toEqual([{ id: '1', notes: null }]);
  });

  it('suggests close names only', () => {
    expect(suggest('emial', FIELDS)).toEqual(['email']);
    expect(suggest('qqqqqq', FIELDS)).toEqual([]);
  });
});
