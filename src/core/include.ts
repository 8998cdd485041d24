/**
 * The `include` parameter: field selection on every read tool. Unknown names fail with a
 * did-you-mean, as the PagerDuty seed does.
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

/** Keeps only the named top-level fields of each item; no `include` keeps everything. */
export function applyInclude<T extends object>(
  items: readonly T[],
  include: readonly string[] | undefined,
): object[] {
  if (!include) return [...items];
  return items.map((item) => {
    const out: Record<string, unknown> = {};
    for (const f of include) if (f in item) out[f] = (item as Record<string, unknown>)[f];
    return out;
  });
}
