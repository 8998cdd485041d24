/**
 * `defineTool`: one value per MCP tool, with its toolset, required safety annotations, a strict
 * zod input schema and the port it needs. The server builds the registry from these values.
 */
import type { z } from 'zod';
import type { PageInfo } from '../core/envelope.js';
import type { Logger } from '../core/log.js';
import type { PortName, Ports } from '../core/ports.js';
import type { Principal } from '../core/principal.js';

export const TOOLSETS = [
  'status_pages',
  'checks',
  'heartbeats',
  'alerts',
  'incidents',
  'oncall',
  'directory',
  'meta',
] as const;
export type Toolset = (typeof TOOLSETS)[number];

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolContext {
  /** Every port; one that no active provider serves throws NOT_SUPPORTED when called. */
  ports: Required<Ports>;
  principal: Principal;
  log: Logger;
}

/** What a handler returns; the server adds `include`, the envelope and the response budget. */
export interface ToolResult {
  items: readonly object[];
  description?: string;
  metadata?: Record<string, unknown>;
  page?: PageInfo;
  /** Fields kept even when `include` does not name them (asked for by another parameter). */
  keep?: readonly string[];
}

export interface ToolDefinition<S extends z.ZodObject = z.ZodObject> {
  name: string;
  toolset: Toolset;
  /** The port this tool calls; the tool is listed only when an active provider serves it. */
  port: PortName;
  description: string;
  annotations: ToolAnnotations;
  input: S;
  /** Plural resource name of the result list, e.g. `users`. */
  resource: string;
  /** Schema of one result item; its keys are the names `include` may select. */
  output: z.ZodObject;
  /** A sentence naming the filters that narrow this tool's answers, used when a list is cut. */
  narrowHint?: string;
  /**
   * What running it does that a person should agree to first, in one sentence ("This pages …"):
   * the client asks its user when it can (server/confirm.ts). `delete_*` tools ask without it.
   */
  confirm?: string;
  handler: (args: z.output<S>, ctx: ToolContext) => Promise<ToolResult>;
}

export function defineTool<S extends z.ZodObject>(def: ToolDefinition<S>): ToolDefinition {
  return def as unknown as ToolDefinition;
}

export function isWriteTool(tool: Pick<ToolDefinition, 'annotations'>): boolean {
  return !tool.annotations.readOnlyHint;
}

/** Annotations shared by tools of one kind. */
export const READ: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
export const CREATE: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
};
export const UPDATE: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: false,
};
export const DELETE: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: false,
};
