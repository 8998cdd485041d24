/**
 * The result envelope of the tool contract: `{"metadata": {"count", "description", ...},
 * "<plural resource>": [...]}` plus `next_cursor`, and the response budget that cuts long lists
 * to fit rather than dropping the answer.
 */
import type { ErrorCode } from './errors.js';
import { encodeCursor } from './pagination.js';

export interface Envelope {
  metadata: { count: number; description: string; [key: string]: unknown };
  next_cursor?: string;
  [resource: string]: unknown;
}

export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

export interface PageInfo {
  offset: number;
  more: boolean;
  fingerprint: string;
  /** Why the listing stops short (a provider's cap), shown as `metadata.notice`. */
  notice?: string | undefined;
}

export interface EnvelopeInput {
  resource: string;
  items: readonly object[];
  description?: string;
  metadata?: Record<string, unknown>;
  page?: PageInfo;
}

function describe(resource: string, count: number): string {
  return `Found ${count} ${count === 1 ? 'result' : 'results'} for resource type ${resource}`;
}

export function envelope(input: EnvelopeInput, shown = input.items.length): Envelope {
  const items = input.items.slice(0, shown);
  const out: Envelope = {
    metadata: {
      count: items.length,
      description: input.description ?? describe(input.resource, items.length),
      ...input.metadata,
      ...(input.page?.notice && { notice: input.page.notice }),
    },
    [input.resource]: items,
  };
  const cut = shown < input.items.length;
  if (input.page && (cut || input.page.more)) {
    out.next_cursor = encodeCursor(input.page.offset + items.length, input.page.fingerprint);
  }
  return out;
}

/** Fields most answers are read by, offered first in the `include` suggestion. */
const TELLING_FIELDS = ['id', 'name', 'title', 'status', 'summary', 'urgency', 'type', 'created_at'];

/**
 * The sentence that suggests `include` with a few of the tool's fields: the telling ones it has,
 * else its first ones.
 */
export function includeHint(fields: readonly string[]): string {
  const telling = TELLING_FIELDS.filter((f) => fields.includes(f)).slice(0, 4);
  const few = telling.length >= 2 ? telling : fields.slice(0, 3);
  return `Ask only for the fields you need with \`include\`, e.g. \`include: ${JSON.stringify(few)}\`.`;
}

/**
 * Serialises the envelope within `budgetChars`. A list that does not fit is cut to the longest
 * prefix that does (at least one item), marked `truncated` with a hint and a `next_cursor`. The
 * hint names the filters (`hint`) and, for a tool that takes `include`, a few of its `fields`.
 * Returns the envelope with its JSON text, so the answer is serialised once.
 */
export function fitToBudget(
  input: EnvelopeInput,
  budgetChars: number,
  hint: string,
  fields?: readonly string[],
): { envelope: Envelope; text: string } {
  const full = envelope(input);
  const fullText = JSON.stringify(full);
  if (fullText.length <= budgetChars || input.items.length <= 1) return { envelope: full, text: fullText };
  const cut = (n: number): Envelope => {
    const e = envelope(input, n);
    e.metadata.truncated = true;
    e.metadata.hint = `Response cut to ${n} of ${input.items.length} items to fit the response budget. ${hint}`;
    if (fields?.length) e.metadata.hint += ` ${includeHint(fields)}`;
    if (!e.next_cursor && !input.page) e.metadata.hint += ' Ask for fewer items with `limit`.';
    return e;
  };
  // Binary search the longest prefix that fits; serialisation is linear, so this is O(n log n).
  let lo = 1;
  let hi = input.items.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (JSON.stringify(cut(mid)).length <= budgetChars) lo = mid;
    else hi = mid - 1;
  }
  const best = cut(lo);
  return { envelope: best, text: JSON.stringify(best) };
}

export function errorEnvelope(
  code: ErrorCode,
  message: string,
  details?: Record<string, unknown>,
): ErrorEnvelope {
  return { error: details ? { code, message, details } : { code, message } };
}
