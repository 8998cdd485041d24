/**
 * Parameter schemas shared by every toolset: ids, id lists, paging, `include`,
 * `current_user_context`. One place, so every tool spells and validates them alike.
 */
import { z } from 'zod';
import { parameterPath, ValidationError, VigilError } from '../core/errors.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../core/pagination.js';

/** A PagerDuty-style resource id: letters and digits only. */
export const id = (what: string) =>
  z
    .string()
    .min(1, `${what} cannot be empty`)
    .max(64, `${what} is longer than any id`)
    .regex(/^[A-Za-z0-9]+$/, {
      error: (iss) =>
        `Invalid ${what} format: '${String(iss.input)}'. Must contain only alphanumeric characters.`,
    })
    .describe(`The ${what.replace(/_id$/, '').replace(/_/g, ' ')} ID.`);

export const ids = (what: string) =>
  z
    .array(id(what))
    .max(MAX_LIMIT)
    .describe(`Filter by these ${what.replace(/_id$/, '').replace(/_/g, ' ')} IDs.`);

export const limit = z
  .number()
  .int()
  .min(1)
  .max(MAX_LIMIT)
  .describe(`Most results to return (default ${DEFAULT_LIMIT}, max ${MAX_LIMIT}).`);

export const cursor = z
  .string()
  .max(512)
  .describe('`next_cursor` from a previous answer, for the next page.');

export const include = z
  .array(z.string().max(64))
  .max(64)
  .describe('Only these fields of each result (names: resource docs://tools).');

export const query = z.string().max(256).describe('Case-insensitive text to match in names (and emails).');

export const currentUserContext = z
  .boolean()
  .default(true)
  .describe("Filter by the current user's context (their teams, services, escalation policies).");

export const SEE_DOCS = 'See `docs://tools` for more information.';

/** Fails a write that names nothing to change. `fields` are the fields given besides `idName`. */
export function requireChange(fields: Record<string, unknown>, idName: string): void {
  if (Object.values(fields).some((v) => v !== undefined)) return;
  throw new ValidationError(`Nothing to update: pass at least one field besides \`${idName}\`.`, {
    parameter: idName,
  });
}

/**
 * A parameter a seed documents under another name than its code used (`check_type` for
 * `type`): either is taken, both at once is an error rather than a guess.
 */
export function aliased<T>(
  name: string,
  value: T | undefined,
  alias: string,
  aliasValue: T | undefined,
): T | undefined {
  if (value !== undefined && aliasValue !== undefined) {
    throw new ValidationError(`Pass \`${name}\` or \`${alias}\`, not both: they mean the same.`, {
      parameter: alias,
    });
  }
  return value ?? aliasValue;
}

/** `a`, `a and b`, `a, b and c`. */
function listed(names: readonly string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? '');
}

/** The field's name at the head of a parameter path (`url` of `url`, `check_data.url`, `url[0]`). */
function headOf(parameter: string): string {
  return parameter.split(/[.[]/, 1)[0] ?? parameter;
}

/** A field as listed flat: optional, with its default shown but not applied (the body applies it). */
function listedFlat(field: z.ZodType): z.ZodType {
  if (field instanceof z.ZodDefault) {
    const meta = {
      default: field.def.defaultValue,
      ...(field.description && { description: field.description }),
    };
    return (field.unwrap() as z.ZodType).optional().meta(meta);
  }
  return field instanceof z.ZodOptional ? field : field.optional();
}

type Flat<B extends z.ZodRawShape> = { [K in keyof B]: z.ZodOptional<z.ZodType> };
const wrapperSchema = z.looseObject({});
type Wrapper<W extends string> = { [K in W]: z.ZodOptional<typeof wrapperSchema> };

/**
 * A write tool's fields in either of the Pingera seed's forms: flat, as its code took them
 * (`create_check(name=…, type=…)`), or in one object, as its README documents them
 * (`create_check(check_data={…})`). Both forms are validated by the one `fields` schema, so they
 * cannot drift; errors name the path inside the wrapper (`check_data.url`), unknown fields in it
 * are named with the valid ones, and both forms at once are refused.
 *
 * The listing shows the fields flat (all optional there, since either form may carry them) and
 * the wrapper as a plain object, so `tools/list` does not pay for the fields twice.
 */
export function wrappedFields<W extends string, B extends z.ZodRawShape, E extends z.ZodRawShape>(
  wrapper: W,
  fields: B,
  /** The tool's other parameters (ids), listed first and never inside the wrapper. */
  beside: E,
) {
  const body = z.strictObject(fields);
  const keys = Object.keys(fields);
  const required = keys.filter((k) => {
    const f = fields[k];
    return !(f instanceof z.ZodOptional || f instanceof z.ZodDefault);
  });
  const flat = Object.fromEntries(keys.map((k) => [k, listedFlat(fields[k] as z.ZodType)])) as Flat<B>;
  const must = required.length > 1 ? `${listed(required)} are` : `${listed(required)} is`;
  const wrapperField = wrapperSchema
    .optional()
    .describe(
      `The fields as one object instead (Pingera's form).${required.length ? ` Either way ${must} required.` : ''}`,
    );
  const besides = Object.keys(beside);

  /** The first zod issue of the body as an error naming the parameter as the caller wrote it. */
  const issueError = (issue: z.core.$ZodIssue, source: Record<string, unknown>, nested: boolean) => {
    const at = nested ? `${wrapper}.` : '';
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '';
      if (issue.path.length === 0 && besides.includes(key)) {
        return new ValidationError(`\`${key}\` goes beside \`${wrapper}\`, not inside it.`, {
          parameter: `${wrapper}.${key}`,
        });
      }
      const where = issue.path.length ? `${at}${parameterPath(issue.path)}` : wrapper;
      const s = issue.keys.length > 1 ? 's' : '';
      const valid = issue.path.length ? '' : ` Valid fields: ${keys.join(', ')}.`;
      return new ValidationError(
        `Unknown field${s} ${issue.keys.map((k) => `\`${k}\``).join(', ')} in \`${where}\`.${valid}`,
        { parameter: `${where}.${key}`, unknown: issue.keys },
      );
    }
    const name = parameterPath(issue.path);
    const parameter = `${at}${name}`;
    if (issue.code === 'invalid_type' && issue.path.length === 1 && source[name] === undefined) {
      return new ValidationError(
        nested
          ? `Missing required field \`${name}\` in \`${wrapper}\`.`
          : `Missing required parameter \`${name}\` (or give the fields inside \`${wrapper}\`).`,
        { parameter },
      );
    }
    const root = String(issue.path[0]);
    const message =
      !nested && issue.message.includes(root)
        ? issue.message
        : `Invalid parameter \`${parameter}\`: ${issue.message}`;
    return new ValidationError(message, { parameter });
  };

  /** A failure further in (a provider, a timestamp) named the way the caller wrote the fields. */
  const renamed = (err: unknown, nested: boolean): unknown => {
    const parameter = err instanceof VigilError ? err.details?.parameter : undefined;
    if (!(err instanceof VigilError) || typeof parameter !== 'string') return err;
    const prefix = `${wrapper}.`;
    if (nested && keys.includes(headOf(parameter))) {
      const quoted = `\`${parameter}\``;
      const message = err.message.includes(quoted)
        ? err.message.replaceAll(quoted, `\`${prefix}${parameter}\``)
        : `${err.message} (in \`${wrapper}\`)`;
      return new VigilError(err.code, message, { ...err.details, parameter: prefix + parameter });
    }
    if (!nested && parameter.startsWith(prefix)) {
      return new VigilError(err.code, err.message.replaceAll(prefix, ''), {
        ...err.details,
        parameter: parameter.slice(prefix.length),
      });
    }
    return err;
  };

  return {
    /** The tool's input: the parameters beside, the fields flat, and the wrapper. */
    input: z.strictObject({ ...beside, ...flat, [wrapper]: wrapperField } as E & Flat<B> & Wrapper<W>),
    /**
     * Validates the form given and calls `fn` with the fields (defaults applied). With `change`
     * (the id parameter of an update), refuses a call that names nothing to change.
     */
    async run<R>(
      args: Record<string, unknown>,
      fn: (fields: z.output<typeof body>) => Promise<R>,
      change?: string,
    ): Promise<R> {
      const inner = args[wrapper] as Record<string, unknown> | undefined;
      const nested = inner !== undefined;
      const given = keys.filter((k) => args[k] !== undefined);
      if (nested && given.length > 0) {
        throw new ValidationError(
          `Give the fields flat or inside \`${wrapper}\`, not both: \`${given[0]}\` is given flat.`,
          { parameter: wrapper },
        );
      }
      const source = inner ?? Object.fromEntries(given.map((k) => [k, args[k]]));
      const parsed = body.safeParse(source);
      if (!parsed.success) throw issueError(parsed.error.issues[0] as z.core.$ZodIssue, source, nested);
      if (change !== undefined && !Object.values(parsed.data).some((v) => v !== undefined)) {
        throw new ValidationError(
          nested
            ? `Nothing to update: \`${wrapper}\` has no fields.`
            : `Nothing to update: pass at least one field besides \`${change}\` (flat or inside \`${wrapper}\`).`,
          { parameter: nested ? wrapper : change },
        );
      }
      try {
        return await fn(parsed.data);
      } catch (err) {
        throw renamed(err, nested);
      }
    },
  };
}
