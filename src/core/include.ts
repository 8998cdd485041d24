/**
 * The `include` parameter: field selection on every read tool. Unknown names fail with a
 * did-you-mean, as the PagerDuty seed does.
 */
import { ValidationError } from './errors.js';

/** Levenshtein distance; small inputs only (field names). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
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
