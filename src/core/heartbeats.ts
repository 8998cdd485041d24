/**
 * Heartbeats: a job pings its URL when it runs; Vigil knows when a ping is late and when the job
 * is down. A heartbeat expects a ping every `period_seconds`, or at the times of a cron
 * expression in a time zone, plus `grace_seconds` before it is down. Field names follow
 * Pingera's HeartbeatCheck where it has them. Heartbeats and their pings are each defined once,
 * as a zod schema: their types derive from it, and the tools' output schemas are these.
 */

import { z } from 'zod';
import type { Page } from './directory.js';
import { ValidationError } from './errors.js';
import { lazy } from './lazy.js';

const cron = lazy<typeof import('cron-parser')>('cron-parser');

export const HEARTBEAT_STATUSES = ['new', 'up', 'late', 'down', 'paused'] as const;
export type HeartbeatStatus = (typeof HEARTBEAT_STATUSES)[number];

/** What a ping says: the job ran, started, failed, or exited with a code (0 is success). */
export const PING_KINDS = ['success', 'start', 'fail'] as const;
export type PingKind = (typeof PING_KINDS)[number];

export const heartbeatPingSchema = z.object({
  id: z.string(),
  check_id: z.string(),
  received_at: z.string(),
  kind: z.enum(PING_KINDS),
  exit_code: z.number().int().nullable(),
  source_ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  /** The request body: JSON when it parses, else text; the first 10 KB. */
  ping_data: z.unknown(),
  truncated: z.boolean(),
});
export type HeartbeatPing = z.infer<typeof heartbeatPingSchema>;

export const heartbeatSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(HEARTBEAT_STATUSES),
  active: z.boolean(),
  period_seconds: z.number().int().nullable(),
  cron: z.string().nullable(),
  time_zone: z.string(),
  grace_seconds: z.number().int(),
  ping_url: z.string(),
  last_ping_at: z.string().nullable(),
  last_start_at: z.string().nullable(),
  next_expected_ping: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  /** Details only: the last ten pings, newest first. */
  recent_pings: z.array(heartbeatPingSchema).optional(),
});
export type Heartbeat = z.infer<typeof heartbeatSchema>;

export interface HeartbeatInput {
  name: string;
  period_seconds?: number | null | undefined;
  cron?: string | null | undefined;
  time_zone?: string | undefined;
  grace_seconds?: number | undefined;
  active?: boolean | undefined;
}

export interface PingInput {
  kind: PingKind;
  exitCode?: number | undefined;
  sourceIp?: string | undefined;
  userAgent?: string | undefined;
  body?: string | undefined;
  truncated?: boolean | undefined;
}

export interface PingOutcome {
  heartbeat: Heartbeat;
  ping: HeartbeatPing;
}

export interface HeartbeatsPort {
  getHeartbeat(id: string): Promise<Heartbeat | undefined>;
  listHeartbeats(filter: {
    status?: HeartbeatStatus | undefined;
    limit: number;
    offset: number;
  }): Promise<Page<Heartbeat>>;
  createHeartbeat(input: HeartbeatInput): Promise<Heartbeat>;
  updateHeartbeat(id: string, patch: Partial<HeartbeatInput>): Promise<Heartbeat>;
  deleteHeartbeat(id: string): Promise<void>;
  /** Records a ping by heartbeat id, or by its ping token; undefined when neither is known. */
  ping(by: { id: string } | { token: string }, input: PingInput): Promise<PingOutcome | undefined>;
  listPings(
    id: string,
    filter: { since?: number | undefined; until?: number | undefined; limit: number; offset: number },
  ): Promise<Page<HeartbeatPing>>;
}

export const MIN_PERIOD_SECONDS = 60;
export const MAX_PERIOD_SECONDS = 366 * 86_400;
export const DEFAULT_GRACE_SECONDS = 3600;
export const MAX_PING_BODY_BYTES = 10 * 1024;

/** How far ahead a cron expression must fire at least once. */
const CRON_HORIZON_MS = 5 * 366 * 86_400_000;

/** The first time after `after` a ping is expected. */
export function nextExpected(
  h: { period_seconds: number | null; cron: string | null; time_zone: string },
  after: number,
): number {
  if (h.cron) {
    return cron()
      .CronExpressionParser.parse(h.cron, { currentDate: new Date(after), tz: h.time_zone })
      .next()
      .getTime();
  }
  return after + (h.period_seconds ?? 0) * 1000;
}

/** Checks a cron expression in a time zone; the error names the parameter and what is wrong. */
export function checkCron(cron: string, timeZone: string, parameter = 'heartbeat_data.cron'): void {
  let next: number;
  try {
    next = nextExpected({ period_seconds: null, cron, time_zone: timeZone }, Date.now());
  } catch (err) {
    throw new ValidationError(`Invalid cron expression '${cron}': ${(err as Error).message}.`, { parameter });
  }
  if (!(next - Date.now() < CRON_HORIZON_MS)) {
    throw new ValidationError(`The cron expression '${cron}' never fires in the next five years.`, {
      parameter,
    });
  }
}
