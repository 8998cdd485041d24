/**
 * Readers for what a SaaS API sends back: each takes `unknown` and answers the value only when it
 * has the expected type, never a guess. Both SaaS providers read their answers with these.
 */

export type Raw = Record<string, unknown>;

export const obj = (v: unknown): Raw | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : undefined;
export const arr = (v: unknown): Raw[] =>
  Array.isArray(v) ? v.map(obj).filter((x): x is Raw => x !== undefined) : [];
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;
export const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);

/** Keys whose value is undefined dropped, so absent fields stay absent. */
export function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
