/**
 * Uptime checks: what a check is (Pingera's MonitorCheck fields; the parameters of each type are
 * its kind's, in check-kinds/),
 * and what one run of it finds (Pingera's MonitorCheckResult: status, response time, error,
 * metadata with the timing breakdown and assertion results).
 */
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

export interface Check {
  id: string;
  name: string;
  type: CheckType;
  url: string | null;
  host: string | null;
  port: number | null;
  interval: number;
  timeout: number;
  active: boolean;
  position: number;
  group_id: string | null;
  group: { id: string; name: string } | null;
  parameters: Record<string, unknown>;
  /** Failed runs in a row (after a retry) before the check is down. */
  failure_threshold: number;
  /** Passing runs in a row before a down check is up again. */
  recovery_threshold: number;
  status: CheckStatus;
  last_checked_at: string | null;
  next_run_at: string | null;
  created_at: string;
  updated_at: string;
}

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

export interface CheckResult {
  id: string;
  check_id: string;
  check_name?: string;
  check_type?: string;
  status: ResultStatus;
  response_time: number;
  error_message: string | null;
  check_metadata: Record<string, unknown>;
  result_type: 'regular' | 'on_demand';
  check_server: { id: string; region: string };
  created_at: string;
}

export interface CheckJob {
  id: string;
  check_id: string | null;
  job_type: 'custom' | 'existing';
  status: 'pending' | 'running' | 'completed' | 'failed';
  check_parameters: Record<string, unknown>;
  result: ProbeResult | null;
  error_message: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  /** Said when the job is answered before it finished (a provider's polling gave up waiting). */
  note?: string;
}

export interface StatusPeriod {
  status: CheckStatus;
  reason: string;
  started_at: string;
  ended_at: string | null;
}

export interface CheckStatistics {
  check_id: string;
  since: string;
  until: string;
  total: number;
  by_status: Record<ResultStatus, number>;
  /** Share of runs that were ok or degraded, in percent with two decimals; null without runs. */
  uptime_percentage: number | null;
  /** Milliseconds; a figure the provider does not report is null (Pingera gives no min, max or p50). */
  response_time: {
    avg: number;
    min: number | null;
    max: number | null;
    p50: number | null;
    p95: number | null;
    p99: number | null;
  } | null;
}

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

export interface CheckGroup {
  id: string;
  name: string;
  description: string | null;
  color: string | null;
  position: number;
  active: boolean;
  checks_count: number;
  created_at: string;
  updated_at: string;
}

export interface CheckGroupInput {
  name: string;
  description?: string | null | undefined;
  color?: string | null | undefined;
  position?: number | undefined;
  active?: boolean | undefined;
}

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
