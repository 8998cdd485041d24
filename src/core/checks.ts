/**
 * Uptime checks: what a check is (Pingera's MonitorCheck fields; the parameters of each type are
 * its kind's, in check-kinds/),
 * and what one run of it finds (Pingera's MonitorCheckResult: status, response time, error,
 * metadata with the timing breakdown and assertion results). Checks, results, jobs, statistics,
 * status periods and groups are each defined once, as a zod schema: their types derive from it,
 * and the tools' output schemas are these. Answers give vocabularies as plain strings (a
 * provider may say more); the types narrow them, each narrowing named where it is made.
 */
import { z } from 'zod';
import type { CheckType } from './check-kinds/index.js';
import type { Page } from './directory.js';

export { CHECK_TYPES, type CheckType } from './check-kinds/index.js';

export const RESULT_STATUSES = ['ok', 'failed', 'degraded', 'timeout'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

/** What a probe is asked to check. */
export interface CheckTarget {
  type: CheckType;
  url?: string | null | undefined;
  host?: string | null | undefined;
  port?: number | null | undefined;
  /** Seconds. */
  timeout: number;
  parameters: Record<string, unknown>;
  /** Secret values by variable name, substituted for `{{NAME}}` in requests. */
  variables?: Record<string, string> | undefined;
}

export interface ProbeResult {
  status: ResultStatus;
  /** Milliseconds. */
  response_time: number;
  error_message: string | null;
  check_metadata: Record<string, unknown>;
}

export const CHECK_STATUSES = ['pending', 'ok', 'failed', 'degraded', 'timeout', 'paused'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export const checkSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  url: z.string().nullable(),
  host: z.string().nullable(),
  port: z.number().nullable(),
  interval: z.number().describe('Seconds between runs.'),
  timeout: z.number().describe('Seconds.'),
  active: z.boolean(),
  position: z.number(),
  group_id: z.string().nullable(),
  group: z.object({ id: z.string(), name: z.string() }).nullable(),
  parameters: z.object({}).loose(),
  /** Failed runs in a row (after a retry) before the check is down. */
  failure_threshold: z.number(),
  /** Passing runs in a row before a down check is up again. */
  recovery_threshold: z.number(),
  status: z.string(),
  last_checked_at: z.string().nullable(),
  next_run_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
/** Narrowed: the type is a check kind's, the status one of CHECK_STATUSES. */
export type Check = Omit<z.infer<typeof checkSchema>, 'type' | 'status'> & {
  type: CheckType;
  status: CheckStatus;
};

export interface CheckInput {
  name: string;
  type: CheckType;
  url?: string | null | undefined;
  host?: string | null | undefined;
  port?: number | null | undefined;
  interval?: number | undefined;
  timeout?: number | undefined;
  active?: boolean | undefined;
  position?: number | undefined;
  group_id?: string | null | undefined;
  parameters?: Record<string, unknown> | undefined;
  failure_threshold?: number | undefined;
  recovery_threshold?: number | undefined;
}

export const checkResultSchema = z.object({
  id: z.string(),
  check_id: z.string(),
  check_name: z.string().optional(),
  check_type: z.string().optional(),
  status: z.string(),
  response_time: z.number().describe('Milliseconds.'),
  error_message: z.string().nullable(),
  check_metadata: z
    .object({})
    .loose()
    .describe('What the run found; `timings` in milliseconds, `packet_loss` in percent.'),
  result_type: z.string(),
  check_server: z.object({ id: z.string(), region: z.string() }),
  created_at: z.string(),
});
/** Narrowed: the status is one of RESULT_STATUSES, the result type regular or on demand. */
export type CheckResult = Omit<z.infer<typeof checkResultSchema>, 'status' | 'result_type'> & {
  status: ResultStatus;
  result_type: 'regular' | 'on_demand';
};

export const checkJobSchema = z.object({
  id: z.string(),
  check_id: z.string().nullable(),
  job_type: z.string(),
  status: z.string(),
  check_parameters: z.object({}).loose(),
  result: z.object({}).loose().nullable().describe('The run; response_time in milliseconds.'),
  error_message: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
});
/** Narrowed: its vocabularies, and its result a ProbeResult; `note` rides beside the listed fields. */
export type CheckJob = Omit<z.infer<typeof checkJobSchema>, 'job_type' | 'status' | 'result'> & {
  job_type: 'custom' | 'existing';
  status: 'pending' | 'running' | 'completed' | 'failed';
  result: ProbeResult | null;
  /** Said when the job is answered before it finished (a provider's polling gave up waiting). */
  note?: string;
};

export const statusPeriodSchema = z.object({
  status: z.string(),
  reason: z.string(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
});
/** Narrowed: the status is one of CHECK_STATUSES. */
export type StatusPeriod = Omit<z.infer<typeof statusPeriodSchema>, 'status'> & { status: CheckStatus };

export const checkStatisticsSchema = z.object({
  check_id: z.string(),
  since: z.string(),
  until: z.string(),
  total: z.number(),
  by_status: z.object({}).loose(),
  /** Share of runs that were ok or degraded, in percent with two decimals; null without runs. */
  uptime_percentage: z.number().nullable(),
  response_time: z.object({}).loose().nullable().describe('Milliseconds: avg, min, max, p50, p95, p99.'),
});
/** Narrowed: runs counted by each of RESULT_STATUSES, and the response time's figures named. */
export type CheckStatistics = Omit<z.infer<typeof checkStatisticsSchema>, 'by_status' | 'response_time'> & {
  by_status: Record<ResultStatus, number>;
  /** Milliseconds; a figure the provider does not report is null (Pingera gives no min, max or p50). */
  response_time: {
    avg: number;
    min: number | null;
    max: number | null;
    p50: number | null;
    p95: number | null;
    p99: number | null;
  } | null;
};

export interface ResultFilter {
  checkIds?: string[] | undefined;
  since?: number | undefined;
  until?: number | undefined;
  status?: ResultStatus | undefined;
  resultType?: 'regular' | 'on_demand' | undefined;
  limit: number;
  offset: number;
}

export interface CheckFilter {
  type?: CheckType | undefined;
  status?: CheckStatus | undefined;
  groupId?: string | undefined;
  name?: string | undefined;
  limit: number;
  offset: number;
}

export const checkGroupSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  color: z.string().nullable(),
  position: z.number(),
  active: z.boolean(),
  checks_count: z.number(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type CheckGroup = z.infer<typeof checkGroupSchema>;

export interface CheckGroupInput {
  name: string;
  description?: string | null | undefined;
  color?: string | null | undefined;
  position?: number | undefined;
  active?: boolean | undefined;
}

/**
 * A Playwright script written for a synthetic or multistep check by the generate_*_check_script
 * tools, locally (no port answers it, so no type derives from it): `script_content` is what
 * create_*_check takes as `pw_script`.
 */
export const generatedScriptSchema = z.object({
  script_name: z.string(),
  script_type: z.string(),
  target_url: z.string(),
  description: z.string(),
  script_content: z.string(),
  instructions: z.object({ usage: z.string(), requirements: z.string(), configuration: z.string() }),
});

export interface ChecksPort {
  getCheck(id: string): Promise<Check | undefined>;
  listChecks(filter: CheckFilter): Promise<Page<Check>>;
  createCheck(input: CheckInput): Promise<Check>;
  updateCheck(id: string, patch: Partial<CheckInput>): Promise<Check>;
  deleteCheck(id: string): Promise<void>;
  listResults(filter: ResultFilter): Promise<Page<CheckResult>>;
  statistics(checkId: string, window: { since: number; until: number }): Promise<CheckStatistics>;
  statusHistory(checkId: string, limit: number, offset: number): Promise<Page<StatusPeriod>>;
  /** Runs a check once now, apart from its schedule; `wait` resolves once it has finished. */
  executeExisting(checkId: string, wait: boolean): Promise<CheckJob>;
  executeCustom(target: CheckTarget & { name: string }, wait: boolean): Promise<CheckJob>;
  getJob(id: string): Promise<CheckJob | undefined>;
  listJobs(limit: number, offset: number): Promise<Page<CheckJob>>;
  getGroup(id: string): Promise<CheckGroup | undefined>;
  listGroups(limit: number, offset: number): Promise<Page<CheckGroup>>;
  createGroup(input: CheckGroupInput): Promise<CheckGroup>;
  updateGroup(id: string, patch: Partial<CheckGroupInput>): Promise<CheckGroup>;
  deleteGroup(id: string): Promise<void>;
}
