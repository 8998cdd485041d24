/**
 * What checks found: results (scheduled and on-demand), the status each scheduled run leads to
 * with its history of changes, statistics over a window, and on-demand jobs. Scheduled runs are
 * recorded many at a time, in one transaction. Also which processes run checks (`check_nodes`),
 * by which each paces its claims.
 */
import { type Kysely, sql } from 'kysely';
import { applyResult, type CheckState } from '../../../core/check-state.js';
import type {
  CheckJob,
  CheckResult,
  CheckStatistics,
  CheckStatus,
  ProbeResult,
  ResultFilter,
  StatusPeriod,
} from '../../../core/checks.js';
import type { Page } from '../../../core/directory.js';
import { ROLLUP_RETENTION_MS, rolledUpStatistics, rollUp } from './check-rollups.js';
import { claimRows, inOrderedScan } from './claims.js';
import { recordEvents } from './engine-events.js';
import { newId } from './ids.js';
import { groupBy, page } from './repo-helpers.js';
import type { CheckJobsTable, CheckResultsTable, ChecksTable, Database } from './schema.js';

type CheckRow = Pick<
  ChecksTable,
  'id' | 'status' | 'consecutive' | 'failure_threshold' | 'recovery_threshold' | 'interval' | 'active'
>;

const SERVER = { id: 'vigil', region: 'local' };
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export interface Run {
  checkId: string;
  /** The claim it ran under: a run whose claim lapsed (taken over by another process) is dropped. */
  token: string;
  /** When the run was due; the next one is due an interval later. */
  dueAt: number;
  at: number;
  result: ProbeResult;
}

export interface StatusChange {
  checkId: string;
  from: CheckStatus;
  to: CheckStatus;
  reason: string;
  at: number;
}

/** A check as a claim hands it to the scheduler. */
export type ClaimedCheck = Pick<
  ChecksTable,
  | 'id'
  | 'type'
  | 'url'
  | 'host'
  | 'port'
  | 'timeout'
  | 'parameters'
  | 'next_run_at'
  | 'status'
  | 'consecutive'
  | 'failure_threshold'
  | 'recovery_threshold'
>;

export class CheckRuns {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly postgres = false,
  ) {}

  /**
   * Claims up to `limit` active checks due by `until` that no process holds, for `token` until
   * `now + ttlMs`. On PostgreSQL, rows another node is claiming at that moment are skipped.
   */
  async claimDue(
    token: string,
    now: number,
    until: number,
    limit: number,
    ttlMs: number,
  ): Promise<ClaimedCheck[]> {
    if (limit <= 0) return [];
    return inOrderedScan(this.db, this.postgres, (db) => {
      const due = db
        .selectFrom('checks as c')
        .select('c.id')
        .where('c.active', '=', 1)
        .where('c.next_run_at', '<=', until)
        .where('c.claimed_until', '<=', now)
        .orderBy('c.next_run_at')
        .limit(limit);
      return claimRows(db, 'checks', { token, until: now + ttlMs, postgres: this.postgres }, due)
        .returning([
          'id',
          'type',
          'url',
          'host',
          'port',
          'timeout',
          'parameters',
          'next_run_at',
          'status',
          'consecutive',
          'failure_threshold',
          'recovery_threshold',
        ])
        .execute();
    });
  }

  /** Extends the claims `token` still holds on `ids`; answers how many it still holds. */
  async renew(token: string, ids: readonly string[], until: number): Promise<number> {
    if (ids.length === 0) return 0;
    const { numUpdatedRows } = await this.db
      .updateTable('checks')
      .set({ claimed_until: until })
      .where('claim_token', '=', token)
      .where('id', 'in', ids)
      .executeTakeFirst();
    return Number(numUpdatedRows);
  }

  /**
   * Notes that process `node` runs checks until `until`, and answers how many processes do, itself
   * included. SQLite answers 1: there only the engine lease holder runs checks.
   */
  async checkNodes(node: string, now: number, until: number): Promise<number> {
    if (!this.postgres) return 1;
    await this.db
      .insertInto('check_nodes')
      .values({ id: node, seen_until: until })
      .onConflict((oc) => oc.column('id').doUpdateSet({ seen_until: until }))
      .execute();
    const { n } = await this.db
      .selectFrom('check_nodes')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('seen_until', '>', now)
      .executeTakeFirstOrThrow();
    return Math.max(1, Number(n));
  }

  /** Process `node` stops running checks: the others count it out at once. */
  async leaveCheckNodes(node: string): Promise<void> {
    if (!this.postgres) return;
    await this.db.deleteFrom('check_nodes').where('id', '=', node).execute();
  }

  /** Lets go of claims without recording anything (a process stopping): the checks are due again at once. */
  async release(token: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('checks')
      .set({ claim_token: null, claimed_until: 0 })
      .where('claim_token', '=', token)
      .where('id', 'in', ids)
      .execute();
  }

  /**
   * Records scheduled runs: each result, the check's status after its thresholds, and its next
   * run, and releases their claims. A check deleted or paused meanwhile is skipped, and so is a
   * run whose claim another process has taken over (fencing: it may have run the check too).
   * Answers the status changes, and how many runs were dropped for a lapsed claim.
   */
  async record(runs: readonly Run[]): Promise<{ changes: StatusChange[]; fenced: number }> {
    if (runs.length === 0) return { changes: [], fenced: 0 };
    const changes: StatusChange[] = [];
    let fenced = 0;
    await this.db.transaction().execute(async (trx) => {
      // Releasing the claims first locks the rows (PostgreSQL) and answers only those still ours.
      const rows: CheckRow[] = [];
      for (const [token, group] of groupBy(runs, (r) => r.token)) {
        const ids = group.map((r) => r.checkId);
        for (let i = 0; i < ids.length; i += 500) {
          rows.push(
            ...(await trx
              .updateTable('checks')
              .set({ claim_token: null, claimed_until: 0 })
              .where('claim_token', '=', token)
              .where('id', 'in', ids.slice(i, i + 500))
              .returning([
                'id',
                'status',
                'consecutive',
                'failure_threshold',
                'recovery_threshold',
                'interval',
                'active',
              ])
              .execute()),
          );
        }
      }
      const byId = new Map(rows.map((r) => [r.id, r]));
      fenced = runs.filter((r) => !byId.has(r.checkId)).length;
      const results: CheckResultsTable[] = [];
      const updates = new Map<string, CheckUpdate>();
      for (const run of runs) {
        const row = byId.get(run.checkId);
        if (row?.active !== 1) continue;
        const { state, change } = applyResult(
          row as CheckState & typeof row,
          run.result.status,
          run.result.error_message,
        );
        results.push(toRow(run.checkId, run.at, run.result, 'regular'));
        updates.set(run.checkId, {
          status: state.status,
          consecutive: state.consecutive,
          at: run.at,
          result: run.result.status,
          next: nextRun(run.dueAt, row.interval, run.at),
        });
        if (change) changes.push({ checkId: run.checkId, ...change, at: run.at });
        row.status = state.status;
        row.consecutive = state.consecutive;
      }
      // Multi-row inserts, kept under SQLite's bound-parameter limit.
      for (let i = 0; i < results.length; i += 100) {
        await trx
          .insertInto('check_results')
          .values(results.slice(i, i + 100))
          .execute();
      }
      await rollUp(trx, results);
      await recordHistory(trx, changes);
      // The work these changes cause (alerts, incidents, status pages) is in the store with them.
      await recordEvents(
        trx,
        changes.map((c) => ({ kind: 'check_changed', ...c })),
      );
      const list = [...updates];
      for (let i = 0; i < list.length; i += 100) await updateChecks(trx, list.slice(i, i + 100));
    });
    return { changes, fenced };
  }

  async recordOnDemand(checkId: string, at: number, result: ProbeResult): Promise<void> {
    await this.db
      .insertInto('check_results')
      .values(toRow(checkId, at, result, 'on_demand'))
      .execute();
  }

  async listResults(f: ResultFilter): Promise<Page<CheckResult>> {
    let q = this.db
      .selectFrom('check_results')
      .innerJoin('checks', 'checks.id', 'check_results.check_id')
      .selectAll('check_results')
      .select(['checks.name as check_name', 'checks.type as check_type']);
    if (f.checkIds) q = q.where('check_results.check_id', 'in', f.checkIds);
    if (f.since !== undefined) q = q.where('check_results.created_at', '>=', f.since);
    if (f.until !== undefined) q = q.where('check_results.created_at', '<', f.until);
    if (f.status) q = q.where('check_results.status', '=', f.status);
    if (f.resultType) q = q.where('check_results.result_type', '=', f.resultType);
    const rows = await q
      .orderBy('check_results.created_at', 'desc')
      .orderBy('check_results.id', 'desc')
      .limit(f.limit + 1)
      .offset(f.offset)
      .execute();
    const p = page(rows, f.limit);
    return {
      items: p.items.map((r) => ({
        id: r.id,
        check_id: r.check_id,
        check_name: r.check_name,
        check_type: r.check_type,
        status: r.status,
        response_time: r.response_time,
        error_message: r.error_message,
        check_metadata: JSON.parse(r.metadata),
        result_type: r.result_type,
        check_server: SERVER,
        created_at: new Date(r.created_at).toISOString(),
      })),
      more: p.more,
    };
  }

  /** Uptime and response times over a window, from rollups (exact counts; percentiles by bucket). */
  async statistics(checkId: string, w: { since: number; until: number }): Promise<CheckStatistics> {
    return {
      check_id: checkId,
      since: new Date(w.since).toISOString(),
      until: new Date(w.until).toISOString(),
      ...(await rolledUpStatistics(this.db, checkId, w.since, w.until)),
    };
  }

  async statusHistory(checkId: string, limit: number, offset: number): Promise<Page<StatusPeriod>> {
    const rows = await this.db
      .selectFrom('check_status_history')
      .selectAll()
      .where('check_id', '=', checkId)
      .orderBy('started_at', 'desc')
      .limit(limit + 1)
      .offset(offset)
      .execute();
    const p = page(rows, limit);
    return {
      items: p.items.map((r) => ({
        status: r.status,
        reason: r.reason,
        started_at: new Date(r.started_at).toISOString(),
        ended_at: iso(r.ended_at),
      })),
      more: p.more,
    };
  }

  async createJob(
    job: Pick<CheckJobsTable, 'check_id' | 'job_type' | 'check_parameters'>,
    at: number,
  ): Promise<string> {
    const id = newId();
    await this.db
      .insertInto('check_jobs')
      .values({
        id,
        ...job,
        status: 'running',
        result: null,
        error_message: null,
        created_at: at,
        started_at: at,
        completed_at: null,
      })
      .execute();
    return id;
  }

  async finishJob(id: string, at: number, result: ProbeResult | undefined, error?: string): Promise<void> {
    await this.db
      .updateTable('check_jobs')
      .set({
        status: result ? 'completed' : 'failed',
        result: result ? JSON.stringify(result) : null,
        error_message: error ?? null,
        completed_at: at,
      })
      .where('id', '=', id)
      .execute();
  }

  async getJob(id: string): Promise<CheckJob | undefined> {
    const row = await this.db.selectFrom('check_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toJob(row) : undefined;
  }

  async listJobs(limit: number, offset: number): Promise<Page<CheckJob>> {
    const rows = await this.db
      .selectFrom('check_jobs')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .offset(offset)
      .execute();
    const p = page(rows, limit);
    return { items: p.items.map(toJob), more: p.more };
  }

  /**
   * Drops raw results older than the retention window, and rollups older than 400 days; and the
   * processes not seen since (killed ones do not leave).
   */
  async prune(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom('check_results')
      .where('created_at', '<', before)
      .executeTakeFirst();
    await this.db.deleteFrom('check_nodes').where('seen_until', '<', before).execute();
    await this.db
      .deleteFrom('check_rollups')
      .where('start_at', '<', Date.now() - ROLLUP_RETENTION_MS)
      .execute();
    return Number(result.numDeletedRows);
  }
}

/**
 * Status changes into the history, set-wise: each check's open period ends at its first change,
 * and each new period at the next change of the same batch (or stays open).
 */
async function recordHistory(db: Kysely<Database>, changes: readonly StatusChange[]): Promise<void> {
  if (changes.length === 0) return;
  const first = new Map<string, number>();
  for (const c of changes) if (!first.has(c.checkId)) first.set(c.checkId, c.at);
  const open = [...first];
  for (let i = 0; i < open.length; i += 200) {
    const values = sql.join(open.slice(i, i + 200).map(([id, at]) => sql`(${id}, cast(${at} as bigint))`));
    await sql`with v(check_id, ended_at) as (values ${values})
      update check_status_history set ended_at = v.ended_at
      from v where check_status_history.check_id = v.check_id and check_status_history.ended_at is null`.execute(
      db,
    );
  }
  const next = new Map<string, number>();
  const rows = [...changes].reverse().map((c) => {
    const ended = next.get(c.checkId) ?? null;
    next.set(c.checkId, c.at);
    return {
      id: newId(),
      check_id: c.checkId,
      status: c.to,
      reason: c.reason.slice(0, 500),
      started_at: c.at,
      ended_at: ended,
    };
  });
  for (let i = 0; i < rows.length; i += 100) {
    await db
      .insertInto('check_status_history')
      .values(rows.slice(i, i + 100))
      .execute();
  }
}

interface CheckUpdate {
  status: string;
  consecutive: number;
  at: number;
  result: string;
  next: number;
}

/** Each check's state after its runs, set in one statement (a CTE both stores accept). */
async function updateChecks(db: Kysely<Database>, list: [string, CheckUpdate][]): Promise<void> {
  const values = sql.join(
    list.map(
      ([id, u]) =>
        sql`(${id}, ${u.status}, cast(${u.consecutive} as integer), cast(${u.at} as bigint), ${u.result}, cast(${u.next} as bigint))`,
    ),
  );
  await sql`with v(id, status, consecutive, last_checked_at, last_result, next_run_at) as (values ${values})
    update checks set status = v.status, consecutive = v.consecutive, last_checked_at = v.last_checked_at,
      last_result = v.last_result, next_run_at = v.next_run_at
    from v where checks.id = v.id`.execute(db);
}

/** The next due time: an interval after the last, skipping any that passed while it ran late. */
export function nextRun(dueAt: number, intervalSeconds: number, now: number): number {
  const step = intervalSeconds * 1000;
  const next = dueAt + step;
  return next > now ? next : next + Math.ceil((now - next + 1) / step) * step;
}

function toRow(
  checkId: string,
  at: number,
  r: ProbeResult,
  type: 'regular' | 'on_demand',
): CheckResultsTable {
  return {
    id: newId(),
    check_id: checkId,
    created_at: at,
    status: r.status,
    response_time: r.response_time,
    error_message: r.error_message?.slice(0, 2000) ?? null,
    metadata: JSON.stringify(r.check_metadata),
    result_type: type,
  };
}

function toJob(r: CheckJobsTable): CheckJob {
  return {
    id: r.id,
    check_id: r.check_id,
    job_type: r.job_type,
    status: r.status,
    check_parameters: JSON.parse(r.check_parameters),
    result: r.result ? JSON.parse(r.result) : null,
    error_message: r.error_message,
    created_at: new Date(r.created_at).toISOString(),
    started_at: iso(r.started_at),
    completed_at: iso(r.completed_at),
  };
}
