/**
 * The audit trail: every write through MCP, the CLI, the responder page or an HTTP endpoint, with
 * who made it (the credential's id, never its secret), from where, through which tool or route,
 * the object ids, the names of the fields it changed (never their values) and how it ended.
 * Heartbeat pings and Events API traffic are counted per hour, not logged one by one.
 */
import { z } from 'zod';
import { ERROR_CODES } from './errors.js';

export const ENTRY_POINTS = ['mcp', 'cli', 'http'] as const;
export type EntryPoint = (typeof ENTRY_POINTS)[number];

/**
 * Who made a write: the principal's kind, `link` for a responder page link (acting as its user),
 * or `integration` for counted pings and events.
 */
export const ACTOR_KINDS = ['local', 'anonymous', 'api_key', 'jwt', 'link', 'integration'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/**
 * How a write or a counted request ended: `ok`, an error code, or a route's own answer (an event
 * a maintenance window `suppressed`, an `INVALID_EVENT`, a body `TOO_LARGE`, a store `UNAVAILABLE`).
 */
export const AUDIT_OUTCOMES = [
  'ok',
  ...ERROR_CODES,
  'suppressed',
  'INVALID_EVENT',
  'TOO_LARGE',
  'UNAVAILABLE',
] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** One audit entry as read back; the output schema of `get_audit_log`. */
export const auditEntry = z.object({
  id: z.string(),
  at: z.string().describe('For counted traffic, the start of its hour.'),
  actor_kind: z.enum(ACTOR_KINDS),
  actor_id: z.string().nullable().describe('API key ID or JWT subject.'),
  actor_label: z.string(),
  user: z.string().nullable(),
  address: z.string().nullable(),
  entry_point: z.enum(ENTRY_POINTS),
  tool: z.string().describe('Tool name or HTTP route.'),
  object_ids: z.array(z.string()),
  summary: z.string().describe('Tool and field names given.'),
  outcome: z.string().describe('`ok` or the error code.'),
  count: z.number().int().describe('Pings or events that hour; 1 for a write.'),
});
// The listing keeps `outcome` a string: the list of outcomes would cost every client tokens.
export type AuditEntry = Omit<z.infer<typeof auditEntry>, 'outcome'> & { outcome: AuditOutcome };

/** A write to record. */
export interface AuditRecord {
  actor: {
    kind: Exclude<ActorKind, 'integration'>;
    /** The credential's id (API key id, JWT subject); never its secret. */
    id?: string | undefined;
    label: string;
    user?: string | undefined;
  };
  address?: string | undefined;
  entryPoint: EntryPoint;
  tool: string;
  objectIds: readonly string[];
  summary: string;
  outcome: AuditOutcome;
}

/** One heartbeat ping or Events API request, counted per route, object, hour and outcome. */
export interface TrafficHit {
  route: string;
  /** The heartbeat's id, when known. */
  objectId?: string | undefined;
  /** An Events API routing key: counted under its service's id, and never stored itself. */
  routingKey?: string | undefined;
  outcome: AuditOutcome;
}

export interface AuditQuery {
  since?: string | undefined;
  until?: string | undefined;
  /** A key or JWT id, an actor label, or a user id or email. */
  actor?: string | undefined;
  objectId?: string | undefined;
  tool?: string | undefined;
  outcome?: AuditOutcome | undefined;
  limit: number;
  offset: number;
}

export interface AuditPort {
  /** Records one write; resolves once it is stored. */
  record(entry: AuditRecord): Promise<void>;
  /** Counts one ping or event in memory; counts reach the store within seconds. */
  count(hit: TrafficHit): void;
  /** Newest first. */
  list(q: AuditQuery): Promise<{ items: AuditEntry[]; more: boolean }>;
}
