/**
 * Uptime checks: what a check is (Pingera's MonitorCheck fields), the parameters of each type,
 * and what one run of it finds (Pingera's MonitorCheckResult: status, response time, error,
 * metadata with the timing breakdown and assertion results).
 */
import { lazy } from './lazy.js';

const jsonPathLib = lazy<typeof import('jsonpath-plus')>('jsonpath-plus');

import { z } from 'zod';
import type { Page } from './directory.js';

export const CHECK_TYPES = ['web', 'api', 'ssl', 'tcp', 'dns', 'icmp', 'multistep', 'synthetic'] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

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

const regex = z
  .string()
  .max(1000)
  .refine(
    (s) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    },
    { error: (i) => `'${String(i.input)}' is not a valid regular expression` },
  );

/** A JSONPath (`$.data.items[0].id`, filters allowed) that parses. */
export const jsonPath = z
  .string()
  .min(1)
  .max(500)
  .refine(isJsonPath, {
    error: (i) => `'${String(i.input)}' is not a valid JSONPath: write it like $.data.token or $.items[0].id`,
  });

function isJsonPath(path: string): boolean {
  if (!path.startsWith('$')) return false;
  const closing: Record<string, string> = { '[': ']', '(': ')' };
  const open: string[] = [];
  let quote: string | undefined;
  for (const c of path) {
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[' || c === '(') open.push(closing[c] as string);
    else if ((c === ']' || c === ')') && open.pop() !== c) return false;
  }
  if (quote || open.length) return false;
  try {
    jsonPathLib().JSONPath({ path, json: {}, eval: 'safe', wrap: true });
    return true;
  } catch {
    return false;
  }
}

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Keys Pingera accepts on every type; kept, and without effect on a single-node engine. */
const pingeraCommon = {
  regions: z.array(z.string().max(100)).max(50).optional(),
  multi_region_execution: z.record(z.string(), z.unknown()).optional(),
  retry_enabled: z.boolean().optional(),
};

export const httpRequest = z.strictObject({
  method: z.enum(HTTP_METHODS).default('GET'),
  url: z.string().max(2048).optional(),
  headers: z.record(z.string().max(256), z.string().max(8192)).optional(),
  body: z.string().max(65_536).optional(),
});

export const httpAssertions = z.strictObject({
  status_codes: z.array(z.number().int().min(100).max(599)).min(1).max(50).optional(),
  body_contains: z.string().min(1).max(1000).optional(),
  body_regex: regex.optional(),
  json_path: z
    .array(
      z.strictObject({
        path: jsonPath,
        equals: z.unknown().optional(),
        exists: z.boolean().optional(),
      }),
    )
    .max(20)
    .optional(),
  max_response_time_ms: z.number().int().min(1).max(180_000).optional(),
});

/** Playwright source (`@playwright/test` or a bare script using `page`), run by the synthetic runner. */
const pwScript = z.string().min(1, 'pw_script cannot be empty').max(100_000);

export const PARAMETERS = {
  web: z.strictObject({
    ...pingeraCommon,
    http_request: httpRequest.optional(),
    search_text: z.string().min(1).max(1000).optional(),
    assertions: httpAssertions.optional(),
    follow_redirects: z.boolean().optional(),
    verify_tls: z.boolean().optional(),
  }),
  ssl: z.strictObject({
    ...pingeraCommon,
    /** Degraded when the certificate expires within this many days. */
    expiry_threshold_days: z.number().int().min(1).max(365).optional(),
    /** false accepts a chain no public CA signs (self-signed, a private CA); still reported. */
    verify_chain: z.boolean().optional(),
  }),
  tcp: z.strictObject({ ...pingeraCommon }),
  dns: z.strictObject({
    ...pingeraCommon,
    record_type: z.enum(['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT', 'SOA', 'SRV', 'PTR', 'CAA']).optional(),
    dns_servers: z.array(z.string().max(64)).max(5).optional(),
    expected_answers: z.array(z.string().max(1000)).max(50).optional(),
    validation_mode: z.enum(['contains_all', 'exact']).optional(),
  }),
  icmp: z.strictObject({
    ...pingeraCommon,
    probe_count: z.number().int().min(1).max(100).optional(),
    ip_version: z.enum(['v4', 'v6', 'auto']).optional(),
    probe_interval: z.number().min(0.2).max(10).optional(),
    probe_timeout: z.number().min(0.1).max(30).optional(),
    assertions: z.strictObject({ max_packet_loss: z.number().min(0).max(100).optional() }).optional(),
  }),
  multistep: z
    .strictObject({
      ...pingeraCommon,
      steps: z
        .array(
          z.strictObject({
            name: z.string().min(1).max(100),
            request: httpRequest.extend({ url: z.string().min(1).max(2048) }),
            extract: z
              .record(
                z.string().regex(/^[A-Za-z_]\w*$/, 'variable names are letters, digits and _'),
                z.union([jsonPath, z.strictObject({ header: z.string().min(1).max(256) })]),
              )
              .optional(),
            assertions: httpAssertions.optional(),
          }),
        )
        .min(1, 'a multistep check needs at least one step')
        .max(20)
        .optional(),
      /** Pingera's multistep checks are Playwright scripts (its `request` fixture): run as synthetic ones. */
      pw_script: pwScript.optional(),
      screenshot_on_failure: z.boolean().optional(),
    })
    .refine((p) => (p.steps === undefined) !== (p.pw_script === undefined), {
      error:
        'a multistep check takes `steps` (HTTP requests) or `pw_script` (a Playwright script): one of them',
      path: ['steps'],
    }),
  synthetic: z.strictObject({
    ...pingeraCommon,
    pw_script: pwScript,
    /** A small JPEG of the page when the script fails, in the result (off by default: results stay small). */
    screenshot_on_failure: z.boolean().optional(),
  }),
} as const;

/** The parameter schema of a type (api shares web's). */
export function parametersOf(type: CheckType) {
  return type === 'api' ? PARAMETERS.web : PARAMETERS[type];
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
