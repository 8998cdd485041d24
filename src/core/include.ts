/**
 * The `include` parameter: field selection on every read tool. Unknown names fail with a
 * did-you-mean, as the PagerDuty seed does. Answers are compact: fields that say nothing (null,
 * '') are left out unless `include` names them.
 */
import { ValidationError } from './errors.js';

/** Edit distance counting a swap of neighbours as one edit (optimal string alignment); field names only. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** Up to two candidates close to `word` (similarity at least 0.6, as difflib's default cutoff). */
export function suggest(word: string, candidates: readonly string[]): string[] {
  return candidates
    .map((c) => ({ c, score: 1 - distance(word, c) / Math.max(word.length, c.length, 1) }))
    .filter((x) => x.score >= 0.6)
    .sort((x, y) => y.score - x.score)
    .slice(0, 2)
    .map((x) => x.c);
}

export function validateInclude(include: readonly string[] | undefined, fields: readonly string[]): void {
  if (!include) return;
  const unknown = [...new Set(include.filter((f) => !fields.includes(f)))];
  if (unknown.length === 0) return;
  const hints = unknown
    .map((f) => ({ f, s: suggest(f, fields) }))
    .filter((x) => x.s.length > 0)
    .map((x) => `'${x.f}' -> ${x.s.map((s) => `'${s}'`).join(', ')}`);
  throw new ValidationError(
    `Invalid include fields: ${unknown.map((f) => `'${f}'`).join(', ')}.${hints.length ? ` Did you mean: ${hints.join('; ')}?` : ''} Valid fields: ${fields.join(', ')}.`,
    { parameter: 'include', invalid: unknown },
  );
}

/** A value that says nothing: answers leave it out unless `include` names its field. */
const isEmpty = (v: unknown): boolean => v === null || v === undefined || v === '';

/** A JSON object (not an array, a Date or a Buffer): the only values compacted inside. */
const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * A copy without fields whose value is null, undefined or '', at every depth of nested objects.
 * Arrays stay, even empty (an empty list is information), and keep their positions: only the
 * objects inside them are compacted.
 */
export function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compact);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!isEmpty(v)) out[k] = compact(v);
  return out;
}

/**
 * Each item as a tool answers it: the top-level fields `include` selects (every field without
 * it), compacted. A field that `include` or `keep` names is there even when null or '', so a
 * client that asks for a field sees that it is empty; one the item lacks stays absent.
 */
export function applyInclude<T extends object>(
  items: readonly T[],
  include: readonly string[] | undefined,
  keep: readonly string[] = [],
): object[] {
  return items.map((item) => {
    const all = item as Record<string, unknown>;
    const out: Record<string, unknown> = include ? {} : (compact(all) as Record<string, unknown>);
    for (const f of [...(include ?? []), ...keep]) if (f in all) out[f] = compact(all[f]);
    return out;
  });
}
