/**
 * The compiled registry: each tool's JSON schemas computed once at start, and the filter that
 * decides which tools one client sees and may call (mode, the listed selection, the allowed
 * ceiling, exclusions, key scope). Read-only mode and exclusions always win; a client chooses what
 * it is shown within the ceiling, never beyond it.
 */
import type { Tool } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { Config } from '../core/config.js';
import { nameList } from '../core/name-list.js';
import type { PortName } from '../core/ports.js';
import type { Principal } from '../core/principal.js';
import { isWriteTool, type ToolDefinition } from '../tools/define-tool.js';
import { envelopeSchema, fieldsOf } from '../tools/output.js';

export interface CompiledTool {
  def: ToolDefinition;
  write: boolean;
  /** `include` names, when the tool takes `include`. */
  fields: readonly string[] | undefined;
  listing: Listing;
}

export type Listing = Tool & {
  inputSchema: Tool['inputSchema'];
  outputSchema: NonNullable<Tool['outputSchema']>;
};

/** zod writes the safe-integer range on every `.int()`; it says nothing and costs tokens. */
const dropSafeIntegerBounds = (key: string, value: unknown) =>
  (key === 'minimum' && value === Number.MIN_SAFE_INTEGER) ||
  (key === 'maximum' && value === Number.MAX_SAFE_INTEGER)
    ? undefined
    : value;

/** An output schema's `additionalProperties: {}` allows what is allowed without it, at 6 tokens a time. */
const dropEmptyAdditional = (key: string, value: unknown) =>
  key === 'additionalProperties' && isEmptyObject(value) ? undefined : dropSafeIntegerBounds(key, value);

const isEmptyObject = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;

function jsonSchema(schema: z.ZodObject, io: 'input' | 'output'): Tool['inputSchema'] {
  const generated = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  const { $schema: _ignored, ...rest } = JSON.parse(
    JSON.stringify(generated, io === 'output' ? dropEmptyAdditional : dropSafeIntegerBounds),
  ) as Record<string, unknown>;
  return { ...rest, type: 'object' };
}

type SchemaNode = Record<string, unknown> & { anyOf?: SchemaNode[] };

/**
 * A nested shape as its type alone (a nullable one as `anyOf` of its type and null), keeping its
 * description: that is where a unit is said.
 */
function shallow(field: SchemaNode): SchemaNode {
  if (field.properties || field.items)
    return {
      type: field.type ?? (field.items ? 'array' : 'object'),
      ...(field.description !== undefined && { description: field.description }),
    };
  if (field.anyOf) return { ...field, anyOf: field.anyOf.map(shallow) };
  return field;
}

/**
 * Keeps the listed output schema to the item's top-level fields and their types: nested shapes
 * would double what `tools/list` costs a client in tokens, and the fields are what `include`
 * selects. Results still carry every nested field. It also keeps the listing true for compact
 * answers, which leave out empty fields at any depth: nothing nested is `required`.
 */
function shallowItems(schema: Tool['inputSchema'], resource: string): Tool['inputSchema'] {
  const list = schema.properties?.[resource] as
    | { items?: { properties?: Record<string, SchemaNode> } }
    | undefined;
  const fields = list?.items?.properties;
  if (!fields) return schema;
  for (const [name, field] of Object.entries(fields)) fields[name] = shallow(field);
  return schema;
}

/** The registry; listings computed at build time are used for the tools they cover. */
export function compileTools(
  defs: readonly ToolDefinition[],
  listings?: ReadonlyMap<string, Listing>,
): Map<string, CompiledTool> {
  const out = new Map<string, CompiledTool>();
  for (const def of defs) {
    const takesInclude = 'include' in def.input.shape;
    out.set(def.name, {
      def,
      write: isWriteTool(def),
      fields: takesInclude ? fieldsOf(def.output) : undefined,
      listing: listings?.get(def.name) ?? {
        name: def.name,
        description: def.description,
        inputSchema: jsonSchema(def.input, 'input'),
        outputSchema: shallowItems(
          jsonSchema(envelopeSchema(def.resource, def.output), 'output'),
          def.resource,
        ),
        annotations: def.annotations,
      },
    });
  }
  return out;
}

export interface ExposureInput {
  config: Pick<Config, 'mode' | 'excludeTools'>;
  ports: ReadonlySet<PortName>;
  principal: Principal;
  /** What this client is shown: the profile, toolsets or X-MCP-Tools it chose (see profiles.ts). */
  listed: ReadonlySet<string>;
  /** The most any client may call (VIGIL_TOOLSETS, VIGIL_TOOLS when set); undefined: every tool. */
  allowed?: ReadonlySet<string> | undefined;
  /** Tools the provider serving their port cannot carry out at all: tool name → provider. */
  unsupported?: ReadonlyMap<string, string> | undefined;
}

/**
 * `unlisted`: callable but not shown (outside the client's profile), so that `vigil call` and a
 * client naming a tool still reach it; every other rule still holds.
 */
export type Verdict = 'exposed' | 'unlisted' | 'read_only' | 'hidden' | 'unsupported';

/** Whether one client may see and call `tool`, and if not, why. */
export function verdict(tool: CompiledTool, x: ExposureInput): Verdict {
  const { def } = tool;
  if (!x.ports.has(def.port)) return 'hidden';
  if (x.unsupported?.has(def.name)) return 'unsupported';
  if (x.allowed && !x.allowed.has(def.name)) return 'hidden';
  if (x.config.excludeTools.includes(def.name)) return 'hidden';
  if (x.principal.toolsets && !x.principal.toolsets.includes(def.toolset)) return 'hidden';
  if (tool.write && (x.config.mode !== 'read_write' || x.principal.mode !== 'read_write')) return 'read_only';
  return x.listed.has(def.name) ? 'exposed' : 'unlisted';
}

/** A comma-separated header (repeated headers joined), as a list of names. */
export function parseToolList(header: string | string[] | null | undefined): string[] | undefined {
  if (header === null || header === undefined) return undefined;
  return nameList(header);
}
