/**
 * Confirmation before a tool call that cannot be taken back: `delete_*` tools, and tools whose
 * definition says what they do that a person should agree to (`confirm`: paging people). When
 * the client declared form elicitation, its user is asked a yes/no question naming the tool and
 * its arguments; anything but yes does nothing and answers so. A client that cannot be asked gets
 * the call run as before: the mode already decides whether it may write at all.
 *
 * The question rides the 2026-07-28 multi-round-trip flow: the tools/call handler answers
 * `input_required`, the client asks its user and calls again with the answer. On 2025-era
 * connections the SDK's legacy shim sends `elicitation/create` and calls the handler again, so
 * this one path serves both eras. The answer comes from the client, as the arguments do: asking
 * is a safeguard for the user, not an authorisation (that is the mode's and the key's).
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  type Server,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { envelope } from '../core/envelope.js';
import type { ToolDefinition } from '../tools/define-tool.js';
import type { ToolCallResult } from './call-tool.js';
import type { CompiledTool } from './registry.js';

/** The key of the question in a tool call's `inputRequests`, and of its answer. */
const KEY = 'confirm';

/** What one tools/call request knows about asking its user. */
export interface Asking {
  /** The client declared form elicitation: its user can be asked. */
  canAsk: boolean;
  /** The user's answer to the question asked in an earlier round of this same call. */
  answer: 'yes' | 'declined' | 'cancelled' | undefined;
}

/** A bare `elicitation: {}` means form mode (the capability before modes existed). */
function formElicitation(caps: ClientCapabilities | undefined): boolean {
  const e = caps?.elicitation;
  return e !== undefined && (e.form !== undefined || e.url === undefined);
}

/**
 * The request's declared client capabilities (per request on the 2026-07-28 era, from
 * `initialize` before it) and its answer to an earlier question, if any.
 */
export function askingOf(server: Server, ctx: ServerContext): Asking {
  const envelope = ctx.mcpReq.envelope as Record<string, ClientCapabilities | undefined> | undefined;
  const caps = envelope?.[CLIENT_CAPABILITIES_META_KEY] ?? server.getClientCapabilities();
  const reply = inputResponse(ctx.mcpReq.inputResponses, KEY);
  let answer: Asking['answer'];
  if (reply.kind === 'elicit') {
    if (reply.action === 'cancel') answer = 'cancelled';
    else answer = reply.action === 'accept' && reply.content?.confirm === true ? 'yes' : 'declined';
  }
  return { canAsk: formElicitation(caps), answer };
}

/** What a call of this tool does that its user should agree to first; undefined when nothing. */
export function consequence(
  def: Pick<ToolDefinition, 'name' | 'annotations' | 'confirm'>,
): string | undefined {
  if (def.confirm) return def.confirm;
  if (def.name.startsWith('delete_') && def.annotations.destructiveHint) return 'This cannot be undone.';
  return undefined;
}

const MAX_VALUE_CHARS = 80;

function shown(value: unknown): string | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const parts = value.map(shown).filter((v) => v !== undefined);
    return parts.length === value.length ? `[${parts.join(', ')}]` : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const cut = value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS - 1)}…` : value;
  return /^[A-Za-z0-9_.:-]+$/.test(cut) ? cut : `'${cut.replace(/\s+/g, ' ')}'`;
}

/**
 * The action in words, with the arguments that say what it acts on:
 * `Delete check (check_id chk1)`, `Trigger incident (service_id S1, title 'DB down', urgency high)`.
 */
export function action(toolName: string, args: Record<string, unknown>): string {
  const [verb = '', ...rest] = toolName.split('_');
  const what = `${verb.charAt(0).toUpperCase()}${verb.slice(1)} ${rest.join(' ')}`.trim();
  const parts = Object.entries(args)
    .filter(([key]) => key !== 'include')
    .map(([key, value]) => [key, shown(value)] as const)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key} ${value}`);
  return parts.length ? `${what} (${parts.join(', ')})` : what;
}

function notDone(tool: CompiledTool, description: string, confirmation: string): ToolCallResult {
  const env = envelope({ resource: tool.def.resource, items: [], description, metadata: { confirmation } });
  return { content: [{ type: 'text', text: JSON.stringify(env) }], structuredContent: env };
}

/**
 * Before a call runs: undefined to run it; otherwise what to answer instead: the question for the
 * client, or a result saying that nothing was done. Arguments the tool's schema refuses are not
 * asked about: callTool parses them with the same schema and refuses the call, changing nothing.
 */
export function confirmFirst(
  tool: CompiledTool,
  args: unknown,
  asking: Asking,
): InputRequiredResult | ToolCallResult | undefined {
  const then = consequence(tool.def);
  if (!then || !asking.canAsk || asking.answer === 'yes') return undefined;
  const parsed = tool.def.input.safeParse(args ?? {});
  if (!parsed.success) return undefined;
  const what = action(tool.def.name, parsed.data as Record<string, unknown>);
  if (asking.answer === 'declined')
    return notDone(
      tool,
      `Not done: the user said no to "${what}". Nothing was changed; do not try again unless they ask.`,
      'declined',
    );
  if (asking.answer === 'cancelled')
    return notDone(
      tool,
      `Not done: the user closed the question "${what}?" without answering. Nothing was changed.`,
      'cancelled',
    );
  return inputRequired({
    inputRequests: {
      [KEY]: inputRequired.elicit({
        message: `${what}? ${then}`,
        requestedSchema: {
          type: 'object',
          properties: {
            confirm: { type: 'boolean', title: `${what}?`, description: then },
          },
          required: ['confirm'],
        },
      }),
    },
  });
}
