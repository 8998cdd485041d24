/**
 * The checks port on the embedded engine: the store's checks and groups (CheckRepository), their
 * results (CheckRuns), and runs on demand (a job per run, recorded as it finishes). Like every
 * wide port here, one class implementing the port and delegating to the repositories it joins.
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

export class CheckService implements ChecksPort {
  readonly repo: CheckRepository;
  /** Results and claims, which the scheduler records through too. */
  readonly runs: CheckRuns;

  constructor(private readonly opts: CheckServiceOptions) {
    this.repo = new CheckRepository(opts.db, opts.clock);
    this.runs = new CheckRuns(opts.db, opts.postgres ?? false);
  }

  getCheck: ChecksPort['getCheck'] = (id) => this.repo.getCheck(id);
  listChecks: ChecksPort['listChecks'] = (f) => this.repo.listChecks(f);
  createCheck: ChecksPort['createCheck'] = (input) => this.repo.createCheck(input);
  updateCheck: ChecksPort['updateCheck'] = (id, patch) => this.repo.updateCheck(id, patch);
  deleteCheck: ChecksPort['deleteCheck'] = (id) => this.repo.deleteCheck(id);
  listResults: ChecksPort['listResults'] = (f) => this.runs.listResults(f);
  getJob: ChecksPort['getJob'] = (id) => this.runs.getJob(id);
  listJobs: ChecksPort['listJobs'] = (limit, offset) => this.runs.listJobs(limit, offset);
  getGroup: ChecksPort['getGroup'] = (id) => this.repo.getGroup(id);
  listGroups: ChecksPort['listGroups'] = (limit, offset) => this.repo.listGroups(limit, offset);
  createGroup: ChecksPort['createGroup'] = (input) => this.repo.createGroup(input);
  updateGroup: ChecksPort['updateGroup'] = (id, patch) => this.repo.updateGroup(id, patch);
  deleteGroup: ChecksPort['deleteGroup'] = (id) => this.repo.deleteGroup(id);

  statistics: ChecksPort['statistics'] = async (checkId, window) => {
    await this.mustExist(checkId);
    return this.runs.statistics(checkId, window);
  };

  statusHistory: ChecksPort['statusHistory'] = async (checkId, limit, offset) => {
    await this.mustExist(checkId);
    return this.runs.statusHistory(checkId, limit, offset);
  };

  executeExisting: ChecksPort['executeExisting'] = async (checkId, wait) => {
    const check = await this.mustExist(checkId);
    const { name, type, url, host, port, timeout, parameters } = check;
    const target = {
      type,
      url,
      host,
      port,
      timeout,
      parameters,
      variables: await this.opts.variablesFor?.(check.id),
    };
    const asked = { name, type, url, host, port, timeout, parameters };
    return this.execute(target, { check_id: check.id, job_type: 'existing', parameters: asked }, wait);
  };

  executeCustom: ChecksPort['executeCustom'] = async (target, wait) => {
    checkTarget(target);
    const { name, ...rest } = target;
    return this.execute(target, { check_id: null, job_type: 'custom', parameters: { name, ...rest } }, wait);
  };

  private async mustExist(checkId: string) {
    const check = await this.repo.getCheck(checkId);
    if (!check) throw new NotFoundError('check', checkId, 'check_id');
    return check;
  }

  /** Runs a target now as a job; resolves when it is recorded, or at once when not waiting. */
  private async execute(
    target: CheckTarget,
    job: { check_id: string | null; job_type: CheckJob['job_type']; parameters: Record<string, unknown> },
    wait: boolean,
  ): Promise<CheckJob> {
    const { clock, log, blockPrivate, browser } = this.opts;
    const id = await this.runs.createJob(
      { check_id: job.check_id, job_type: job.job_type, check_parameters: JSON.stringify(job.parameters) },
      clock.now(),
    );
    const done = (async () => {
      const result = await runProbe(target, { blockPrivate, browser });
      const at = clock.now();
      if (job.check_id) await this.runs.recordOnDemand(job.check_id, at, result);
      await this.runs.finishJob(id, at, result);
    })().catch(async (err: unknown) => {
      log.error({ err, job: id }, 'on-demand check failed');
      await this.runs.finishJob(id, clock.now(), undefined, (err as Error).message).catch(() => undefined);
    });
    if (wait) await done;
    return (await this.runs.getJob(id)) as CheckJob;
  }
}
