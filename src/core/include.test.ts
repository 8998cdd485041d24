import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { applyInclude, suggest, validateInclude } from './include.js';

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

  it('suggests close names only', () => {
    expect(suggest('emial', FIELDS)).toEqual(['email']);
    expect(suggest('qqqqqq', FIELDS)).toEqual([]);
  });
});
