/**
 * The checks port on the embedded engine: the store's checks and groups, their results, and
 * runs on demand (a job per run, recorded as it finishes).
 */
import type { Kysely } from 'kysely';
import { checkTarget } from '../../../core/check-target.js';
import type { CheckJob, ChecksPort, CheckTarget } from '../../../core/checks.js';
import type { Clock } from '../../../core/clock.js';
import { NotFoundError } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import { CheckRuns } from '../store/check-runs.js';
import { CheckRepository } from '../store/checks-repo.js';
import type { Database } from '../store/schema.js';
import { runProbe } from './probes/index.js';
import type { SyntheticBrowser } from './synthetic/browser.js';

export interface CheckServiceOptions {
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  blockPrivate: boolean;
  browser?: SyntheticBrowser | undefined;
  variablesFor?: (checkId: string) => Promise<Record<string, string>>;
  /** The store is PostgreSQL: claims skip rows other nodes are claiming. */
  postgres?: boolean;
}

export function createCheckService(
  opts: CheckServiceOptions,
): ChecksPort & { runs: CheckRuns; repo: CheckRepository } {
  const repo = new CheckRepository(opts.db, opts.clock);
  const runs = new CheckRuns(opts.db, opts.postgres ?? false);

  /** Runs a target now as a job; resolves when it is recorded, or at once when not waiting. */
  async function execute(
    target: CheckTarget,
    job: { check_id: string | null; job_type: CheckJob['job_type']; parameters: Record<string, unknown> },
    wait: boolean,
  ): Promise<CheckJob> {
    const id = await runs.createJob(
      { check_id: job.check_id, job_type: job.job_type, check_parameters: JSON.stringify(job.parameters) },
      opts.clock.now(),
    );
    const done = (async () => {
      const result = await runProbe(target, { blockPrivate: opts.blockPrivate, browser: opts.browser });
      const at = opts.clock.now();
      if (job.check_id) await runs.recordOnDemand(job.check_id, at, result);
      await runs.finishJob(id, at, result);
    })().catch(async (err: unknown) => {
      opts.log.error({ err, job: id }, 'on-demand check failed');
      await runs.finishJob(id, opts.clock.now(), undefined, (err as Error).message).catch(() => undefined);
    });
    if (wait) await done;
    return (await runs.getJob(id)) as CheckJob;
  }

  return {
    repo,
    runs,
    getCheck: (id) => repo.getCheck(id),
    listChecks: (f) => repo.listChecks(f),
    createCheck: (input) => repo.createCheck(input),
    updateCheck: (id, patch) => repo.updateCheck(id, patch),
    deleteCheck: (id) => repo.deleteCheck(id),
    listResults: (f) => runs.listResults(f),
    async statistics(checkId, window) {
      if (!(await repo.getCheck(checkId))) throw new NotFoundError('check', checkId, 'check_id');
      return runs.statistics(checkId, window);
    },
    async statusHistory(checkId, limit, offset) {
      if (!(await repo.getCheck(checkId))) throw new NotFoundError('check', checkId, 'check_id');
      return runs.statusHistory(checkId, limit, offset);
    },
    async executeExisting(checkId, wait) {
      const check = await repo.getCheck(checkId);
      if (!check) throw new NotFoundError('check', checkId, 'check_id');
      const { name, type, url, host, port, timeout, parameters } = check;
      const target = {
        type,
        url,
        host,
        port,
        timeout,
        parameters,
        variables: await opts.variablesFor?.(check.id),
      };
      const asked = { name, type, url, host, port, timeout, parameters };
      return execute(target, { check_id: check.id, job_type: 'existing', parameters: asked }, wait);
    },
    async executeCustom(target, wait) {
      checkTarget(target);
      const { name, ...rest } = target;
      return execute(target, { check_id: null, job_type: 'custom', parameters: { name, ...rest } }, wait);
    },
    getJob: (id) => runs.getJob(id),
    listJobs: (limit, offset) => runs.listJobs(limit, offset),
    getGroup: (id) => repo.getGroup(id),
    listGroups: (limit, offset) => repo.listGroups(limit, offset),
    createGroup: (input) => repo.createGroup(input),
    updateGroup: (id, patch) => repo.updateGroup(id, patch),
    deleteGroup: (id) => repo.deleteGroup(id),
  };
}
