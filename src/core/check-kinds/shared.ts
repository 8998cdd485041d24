/**
 * What several kinds of check share: the kind's shape, the HTTP request and assertion schemas
 * (web, api and multistep steps), JSONPath and regular expressions that must compile, Pingera's
 * keys accepted on every type, and a Playwright script's source.
 */
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { lazy } from '../lazy.js';

const jsonPathLib = lazy<typeof import('jsonpath-plus')>('jsonpath-plus');

/** The target fields every kind of check has; which it needs is the kind's to say. */
export interface TargetFields {
  url?: string | null | undefined;
  host?: string | null | undefined;
  port?: number | null | undefined;
}

/** Checks a field is there; throws naming it, with `why` the kind needs it. */
export type Need = (field: 'url' | 'host' | 'port', why: string) => void;

/**
 * One kind of check, whole, for validation: its parameters, the target fields it needs, and the
 * checks its parsed parameters need beyond the schema. How it runs is the embedded engine's
 * probe of the same name (providers/embedded/checks/probes/).
 */
export interface CheckKind<P extends z.ZodType = z.ZodType> {
  parameters: P;
  /** Checks the target fields; `prefix` is where the fields sit in the caller's arguments. */
  target(t: TargetFields, need: Need, prefix: string): void;
  /** Checks on the parsed parameters beyond their schema (URLs that parse, a script that compiles). */
  refine?(p: z.output<P>, prefix: string): void;
}

/** Throws unless `url` is an http(s) URL (`{{SECRET}}` placeholders allowed), naming `parameter`. */
export function httpUrl(url: string, parameter: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/\{\{\s*\w+\s*\}\}/g, 'x'));
  } catch {
    throw new ValidationError(
      `${parameter} '${url}' is not a valid URL; write it like https://example.com/health.`,
      {
        parameter,
      },
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ValidationError(`${parameter} must be an http:// or https:// URL, not ${parsed.protocol}`, {
      parameter,
    });
  }
}

export const regex = z
  .string()
  .max(1000)
  .refine(
    (s) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    },
    { error: (i) => `'${String(i.input)}' is not a valid regular expression` },
  );

/** A JSONPath (`$.data.items[0].id`, filters allowed) that parses. */
export const jsonPath = z
  .string()
  .min(1)
  .max(500)
  .refine(isJsonPath, {
    error: (i) => `'${String(i.input)}' is not a valid JSONPath: write it like $.data.token or $.items[0].id`,
  });

function isJsonPath(path: string): boolean {
  if (!path.startsWith('$')) return false;
  const closing: Record<string, string> = { '[': ']', '(': ')' };
  const open: string[] = [];
  let quote: string | undefined;
  for (const c of path) {
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[' || c === '(') open.push(closing[c] as string);
    else if ((c === ']' || c === ')') && open.pop() !== c) return false;
  }
  if (quote || open.length) return false;
  try {
    jsonPathLib().JSONPath({ path, json: {}, eval: 'safe', wrap: true });
    return true;
  } catch {
    return false;
  }
}

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Keys Pingera accepts on every type; kept, and without effect on a single-node engine. */
export const pingeraCommon = {
  regions: z.array(z.string().max(100)).max(50).optional(),
  multi_region_execution: z.record(z.string(), z.unknown()).optional(),
  retry_enabled: z.boolean().optional(),
};

export const httpRequest = z.strictObject({
  method: z.enum(HTTP_METHODS).default('GET'),
  url: z.string().max(2048).optional(),
  headers: z.record(z.string().max(256), z.string().max(8192)).optional(),
  body: z.string().max(65_536).optional(),
});

export const httpAssertions = z.strictObject({
  status_codes: z.array(z.number().int().min(100).max(599)).min(1).max(50).optional(),
  body_contains: z.string().min(1).max(1000).optional(),
  body_regex: regex.optional(),
  json_path: z
    .array(
      z.strictObject({
        path: jsonPath,
        equals: z.unknown().optional(),
        exists: z.boolean().optional(),
      }),
    )
    .max(20)
    .optional(),
  max_response_time_ms: z.number().int().min(1).max(180_000).optional(),
});

/** Playwright source (`@playwright/test` or a bare script using `page`), run by the synthetic runner. */
export const pwScript = z.string().min(1, 'pw_script cannot be empty').max(100_000);

/** A kind, with its parameters' type carried to its own checks. */
export function defineKind<P extends z.ZodType>(kind: CheckKind<P>): CheckKind<P> {
  return kind;
}
