/**
 * ToolService decides what one caller sees and runs its calls through the registry filter;
 * buildServer() makes one MCP server for one caller over any transport, with `docs://tools`
 * documenting what that caller sees.
 */
import {
  type InputRequiredResult,
  isInputRequiredResult,
  ResourceNotFoundError,
  Server,
} from '@modelcontextprotocol/server';
import type { Config } from '../core/config.js';
import {
  type ErrorCode,
  ForbiddenError,
  NotSupportedError,
  ReadOnlyError,
  ValidationError,
} from '../core/errors.js';
import { suggest } from '../core/include.js';
import type { Logger } from '../core/log.js';
import { PORT_NAMES, type PortName, type Ports, type UpstreamCredentials } from '../core/ports.js';
import type { Principal } from '../core/principal.js';
import type { CallerRequest } from '../core/provider.js';
import type { ToolContext } from '../tools/define-tool.js';
import { auditedArgs } from './audit.js';
import { callTool, type ToolCallResult, toErrorResult } from './call-tool.js';
import { type Asking, askingOf, confirmFirst } from './confirm.js';
import { toolsDoc } from './docs.js';
import { type ClientChoice, Exposure } from './exposure.js';
import type { Profile, Seeds } from './profiles.js';
import { registerPrompts } from './prompts.js';
import type { CompiledTool } from './registry.js';
import { verdict } from './registry.js';

export interface ServerDeps {
  config: Config;
  log: Logger;
  /** The ports served; which tools are listed follows from them. */
  ports: Ports;
  /** Ports bound to one caller (a SaaS provider with that caller's credential), over `ports`. */
  bind?: ((caller: Caller) => Ports) | undefined;
  /** What each provider in use reads from a request as its caller's own credential (by provider name). */
  credentialsOf?: ((request: CallerRequest) => UpstreamCredentials) | undefined;
  /** Tools the active providers cannot carry out at all (tool → provider): not listed. */
  unsupported?: ReadonlyMap<string, string> | undefined;
  tools: ReadonlyMap<string, CompiledTool>;
  /** What the profile `default` lists with the providers in use (default: `core`). */
  defaults?: readonly Profile[] | undefined;
  /** The seeds' profiles (`pagerduty`, `pingera`), from the provider list. */
  seeds?: Seeds | undefined;
  version: string;
}

const INSTRUCTIONS = `Vigil covers the incident lifecycle: checks and heartbeats, alerting and on-call, responder incidents, and status pages.
Two kinds of incident: get_incidents/acknowledge_incident act on responder incidents (pages to on-call people); list_incidents/create_incident act on status-page incidents (public posts).
Every result is {"metadata": {...}, "<resources>": [...]}; pass "next_cursor" back as "cursor" for more; fields left out were empty (name them in "include" to see them). Read the resource docs://tools for parameters and include fields.
The tool list is a curated default. More tools (users, teams, services, escalation policies, schedules, check groups, secrets, alert channels, status-page components and maintenance) exist: when the user needs one that is not listed, tell them to set VIGIL_TOOLSETS=all (or a toolset such as directory or oncall), or, over HTTP, send the header X-MCP-Toolsets: all.
Deleting and paging tools may ask the user to confirm first. Prompts cover triage, a status-page update, a postmortem and an on-call handover.`;

function presentPorts(ports: Ports): Set<PortName> {
  return new Set(PORT_NAMES.filter((p) => ports[p] !== undefined));
}

/** Every port, with a stand-in that answers NOT_SUPPORTED for those no provider serves. */
function completePorts(ports: Ports): Required<Ports> {
  const out: Record<string, unknown> = { ...ports };
  for (const name of PORT_NAMES) {
    out[name] ??= new Proxy(
      {},
      {
        get: (_t, prop) => () => Promise.reject(new NotSupportedError(`${name}.${String(prop)}`, 'active')),
      },
    );
  }
  return out as Required<Ports>;
}

/** Who is calling through one connection or request: the principal and the tools it chose. */
export interface Caller {
  principal: Principal;
  /** X-MCP-Tools and X-MCP-Toolsets, checked when the caller was made. */
  choice?: ClientChoice | undefined;
  /** Credentials the request brought for SaaS providers (by provider name), for this caller only. */
  credentials?: UpstreamCredentials | undefined;
  /** How the call arrived, for the audit trail: an MCP client (default) or `vigil call`. */
  entry?: 'mcp' | 'cli' | undefined;
  /** The remote address of an HTTP request, for the audit trail. */
  address?: string | undefined;
}

export class ToolService {
  readonly exposure: Exposure;
  private readonly ports: Required<Ports>;

  /** Throws ConfigError when a setting names an unknown toolset, profile or tool. */
  constructor(readonly deps: ServerDeps) {
    this.exposure = new Exposure({
      config: deps.config,
      tools: deps.tools,
      ports: presentPorts(deps.ports),
      unsupported: deps.unsupported,
      defaults: deps.defaults ?? ['core'],
      seeds: deps.seeds,
    });
    this.ports = completePorts(deps.ports);
  }

  visible(caller: Caller): CompiledTool[] {
    const x = this.exposure.input(caller.principal, caller.choice);
    return [...this.deps.tools.values()].filter((t) => verdict(t, x) === 'exposed');
  }

  call(caller: Caller, name: string, args: unknown): Promise<ToolCallResult>;
  /** With `asking`, a call that needs the user's yes may answer with the question (confirm.ts). */
  call(
    caller: Caller,
    name: string,
    args: unknown,
    asking: Asking,
  ): Promise<ToolCallResult | InputRequiredResult>;
  async call(
    caller: Caller,
    name: string,
    args: unknown,
    asking?: Asking,
  ): Promise<ToolCallResult | InputRequiredResult> {
    const { bind } = this.deps;
    // The caller's bound ports over the stand-ins made once; bind returns only ports it serves.
    const ports = bind ? ({ ...this.ports, ...bind(caller) } as Required<Ports>) : this.ports;
    const ctx: ToolContext = { ports, principal: caller.principal, log: this.deps.log };
    const tool = this.deps.tools.get(name);
    if (!tool) {
      const near = suggest(name, [...this.deps.tools.keys()]);
      const err = new ValidationError(
        `Unknown tool '${name}'.${near.length ? ` Did you mean ${near.join(' or ')}?` : ''}`,
        {
          parameter: 'name',
        },
      );
      return toErrorResult(err, ctx, name);
    }
    const result = await this.run(tool, caller, args, ctx, asking);
    // Writes only, refusals included; a question back to the user is not a write yet.
    if (tool.write && !isInputRequiredResult(result)) await this.audit(caller, tool, args, result);
    return result;
  }

  private async run(
    tool: CompiledTool,
    caller: Caller,
    args: unknown,
    ctx: ToolContext,
    asking: Asking | undefined,
  ): Promise<ToolCallResult | InputRequiredResult> {
    const { name } = tool.def;
    const v = verdict(tool, this.exposure.input(caller.principal, caller.choice));
    if (v === 'read_only') return toErrorResult(new ReadOnlyError(name), ctx, name);
    if (v === 'unsupported') {
      const provider = this.deps.unsupported?.get(name) as string;
      return toErrorResult(new NotSupportedError(name, provider), ctx, name);
    }
    if (v === 'hidden') {
      const err = new ForbiddenError(
        `Tool '${name}' is not available to this client (narrowed by VIGIL_TOOLSETS, VIGIL_TOOLS, VIGIL_EXCLUDE_TOOLS, the API key's toolsets or X-MCP-Tools).`,
      );
      return toErrorResult(err, ctx, name);
    }
    const first = asking && confirmFirst(tool, args, asking);
    if (first) return first;
    return callTool(tool, args, ctx, this.deps.config.maxResponseTokens * 4);
  }

  /** Records a write in the audit trail; a failure to record is logged, never the call's failure. */
  private async audit(caller: Caller, tool: CompiledTool, args: unknown, result: ToolCallResult) {
    const trail = this.deps.ports.audit;
    if (!trail) return;
    const { principal } = caller;
    const env = result.structuredContent as Record<string, unknown> & { error?: { code: ErrorCode } };
    try {
      await trail.record({
        actor: {
          kind: principal.kind,
          id: principal.credentialId,
          label: principal.label,
          user: principal.userId ?? principal.userEmail,
        },
        address: caller.address,
        entryPoint: caller.entry ?? 'mcp',
        tool: tool.def.name,
        ...auditedArgs(tool.def.name, args, env[tool.def.resource]),
        outcome: result.isError ? (env.error?.code ?? 'INTERNAL') : 'ok',
      });
    } catch (err) {
      this.deps.log.error({ err, tool: tool.def.name }, 'write not recorded in the audit trail');
    }
  }
}

export function buildServer(service: ToolService, caller: Caller): Server {
  const { config, version } = service.deps;
  const server = new Server(
    { name: config.serverName, version },
    { capabilities: { tools: {}, resources: {}, prompts: {} }, instructions: INSTRUCTIONS },
  );
  server.setRequestHandler('tools/list', async () => ({
    tools: service.visible(caller).map((t) => t.listing),
  }));
  server.setRequestHandler('tools/call', async (req, ctx) => {
    const result = await service.call(caller, req.params.name, req.params.arguments, askingOf(server, ctx));
    if (isInputRequiredResult(result)) return result;
    // An error's envelope travels as text only: SDK 1.x clients and the Inspector check any
    // structuredContent against the tool's outputSchema, even on errors, and would hide the message.
    if (result.isError) return { content: result.content, isError: true };
    const advertised = service.deps.tools.get(req.params.name)?.listing.outputSchema;
    return server.projectCallToolResult(result, advertised);
  });
  server.setRequestHandler('resources/list', async () => ({
    resources: [
      {
        uri: 'docs://tools',
        name: 'tools',
        description: 'Every tool listed for this client, with parameters.',
        mimeType: 'text/markdown',
      },
    ],
  }));
  server.setRequestHandler('resources/read', async (req) => {
    if (req.params.uri !== 'docs://tools') throw new ResourceNotFoundError(req.params.uri);
    return {
      contents: [{ uri: 'docs://tools', mimeType: 'text/markdown', text: toolsDoc(service.visible(caller)) }],
    };
  });
  registerPrompts(server, () => new Set(service.visible(caller).map((t) => t.def.name)));
  return server;
}
