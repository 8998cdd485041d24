/**
 * Runs one tool call: validates the arguments, calls the handler, applies `include` (which also
 * leaves out empty fields), the envelope and the response budget. The one place where any
 * failure becomes an `isError` result with a stable code.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { type Envelope, type ErrorEnvelope, errorEnvelope, fitToBudget } from '../core/envelope.js';
import { parameterPath, ValidationError, VigilError } from '../core/errors.js';
import { applyInclude, validateInclude } from '../core/include.js';
import { storageFault } from '../providers/embedded/store/sql-errors.js';
import type { ToolContext } from '../tools/define-tool.js';
import type { CompiledTool } from './registry.js';

export interface ToolCallResult {
  [key: string]: unknown;
  content: { type: 'text'; text: string }[];
  structuredContent: Envelope | ErrorEnvelope;
  isError?: true;
}

/** A zod failure as a VALIDATION_ERROR naming the parameter. */
export function fromZod(error: z.ZodError, tool: CompiledTool): ValidationError {
  // An unknown top-level key first: a wrong wrapper (`page_data`) explains the missing fields.
  const issue =
    error.issues.find((i) => i.code === 'unrecognized_keys' && i.path.length === 0) ?? error.issues[0];
  if (!issue) return new ValidationError('Invalid arguments.');
  if (issue.code === 'unrecognized_keys' && issue.path.length > 0) {
    const where = parameterPath(issue.path);
    return new ValidationError(
      `Unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `\`${k}\``).join(', ')} in \`${where}\`.`,
      { parameter: `${where}.${issue.keys[0]}`, unknown: issue.keys },
    );
  }
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    const valid = Object.keys(tool.def.input.shape);
    return new ValidationError(
      `Unknown parameter${keys.length > 1 ? 's' : ''} ${keys.map((k) => `\`${k}\``).join(', ')} for ${tool.def.name}. Valid parameters: ${valid.join(', ') || '(none)'}.`,
      { parameter: keys[0], unknown: keys },
    );
  }
  const param = parameterPath(issue.path);
  if (!param)
    return new ValidationError(`Arguments must be an object: ${issue.message}`, { parameter: '(arguments)' });
  const root = String(issue.path[0]);
  const message = issue.message.includes(root)
    ? issue.message
    : `Invalid parameter \`${param}\`: ${issue.message}`;
  return new ValidationError(message, { parameter: param });
}

export function toErrorResult(err: unknown, ctx: Pick<ToolContext, 'log'>, toolName: string): ToolCallResult {
  let env: ErrorEnvelope;
  if (err instanceof VigilError) {
    env = errorEnvelope(err.code, err.message, err.details);
  } else {
    const id = randomUUID().slice(0, 8);
    ctx.log.error({ err, tool: toolName, errorId: id }, 'tool call failed');
    // A store that cannot be written (full, read-only, unreachable) is said as it is: nothing was done.
    const fault = storageFault(err);
    env = errorEnvelope(
      'INTERNAL',
      fault
        ? `${fault} Nothing was changed; try again once the store takes writes (id ${id}).`
        : `Internal error (id ${id}); the server log has the details. Try again, or report it with this id.`,
    );
  }
  return { content: [{ type: 'text', text: JSON.stringify(env) }], structuredContent: env, isError: true };
}

export async function callTool(
  tool: CompiledTool,
  args: unknown,
  ctx: ToolContext,
  budgetChars: number,
): Promise<ToolCallResult> {
  try {
    const parsed = tool.def.input.safeParse(args ?? {});
    if (!parsed.success) throw fromZod(parsed.error, tool);
    const include = (parsed.data as { include?: string[] }).include;
    if (tool.fields) validateInclude(include, tool.fields);
    const result = await tool.def.handler(parsed.data, ctx);
    const { envelope, text } = fitToBudget(
      {
        resource: tool.def.resource,
        // Compact: null and '' fields are left out unless `include` (or `keep`) names them.
        items: applyInclude(result.items, include, result.keep),
        ...(result.description !== undefined && { description: result.description }),
        ...(result.metadata !== undefined && { metadata: result.metadata }),
        ...(result.page !== undefined && { page: result.page }),
      },
      budgetChars,
      tool.def.narrowHint ?? 'Narrow the query with filters.',
      tool.fields,
    );
    return { content: [{ type: 'text', text }], structuredContent: envelope };
  } catch (err) {
    return toErrorResult(err, ctx, tool.def.name);
  }
}
