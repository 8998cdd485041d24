/**
 * The checks port on Pingera, on the endpoints the API really has (the seed called several that
 * do not exist; reference/pingera-notes.md §1.5, §1.8):
 * - pause and resume are `PATCH /v1/checks/{id}` `{active}`; a check's group is set with
 *   `PATCH /v1/checks/{id}/group`;
 * - a check's results are `GET /v1/checks/{id}/results` (`start_date`/`end_date`), results across
 *   checks, or filtered by status or type, `GET /v1/checks/all-results`;
 * - statistics come from `GET …/uptime` (`start_time`/`end_time`) and `GET …/response-times`;
 * - on-demand runs are `POST /v1/checks/execute` and `POST /v1/checks/{id}/execute`, each a 202
 *   with a `job_id`, polled at `GET /v1/checks/jobs/{job_id}`; jobs are listed with `per_page`.
 *
 * Parameters go to Pingera as given and Pingera validates them (a 422 is a VALIDATION_ERROR):
 * its `multistep` is a Playwright script (`pw_script`), not Vigil's HTTP `steps`.
 */
import { checkTarget } from '../../core/check-target.js';
import type {
  Check,
  CheckFilter,
  CheckGroup,
  CheckGroupInput,
  CheckInput,
  CheckJob,
  CheckResult,
  ChecksPort,
  CheckTarget,
  ResultFilter,
} from '../../core/checks.js';
import { type Clock, systemClock } from '../../core/clock.js';
import type { Page } from '../../core/directory.js';
import { NotFoundError, NotSupportedError, VigilError } from '../../core/errors.js';
import { sleeper } from '../shared/rest.js';
import { responseTimesOf, toCheck, toGroup, toJob, toPeriod, toResult, uptimeOf } from './check-map.js';
import type { PingeraClient } from './client.js';
import { at, defined, isNotFound, obj, orNotFound, seg, str } from './raw.js';

export interface PingeraChecksOptions {
  /** How the job poll waits; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  clock?: Clock;
  /** Between polls of a job (default 1 s). */
  pollMs?: number;
  /** How long past the run's own timeout a waited-for job is polled (default 60 s). */
  graceMs?: number;
}

/** How many checks' results are read at once when results of several checks are merged. */
const FAN_OUT = 4;

export class PingeraChecks implements ChecksPort {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: Clock;
  private readonly pollMs: number;
  private readonly graceMs: number;

  constructor(
    private readonly client: PingeraClient,
    opts: PingeraChecksOptions = {},
  ) {
    this.sleep = opts.sleep ?? sleeper;
    this.clock = opts.clock ?? systemClock;
    this.pollMs = opts.pollMs ?? 1000;
    this.graceMs = opts.graceMs ?? 60_000;
  }

  async getCheck(id: string): Promise<Check | undefined> {
    const raw = await this.client.find(`/v1/checks/${seg(id)}`);
    return raw === undefined ? undefined : toCheck(raw);
  }

  async listChecks(f: CheckFilter): Promise<Page<Check>> {
    // A group's checks alone are the group's own listing (the seed's get_checks_in_group call).
    if (f.groupId && !f.type && !f.status && !f.name) {
      const listed = await orNotFound(
        this.client.list(
          `/v1/check-groups/${seg(f.groupId)}/checks`,
          'checks',
          {},
          'page_size',
          f.limit,
          f.offset,
        ),
        'check group',
        f.groupId,
        'group_id',
      );
      return { items: listed.items.map(toCheck), more: listed.more };
    }
    const query = { type: f.type, status: f.status, name: f.name, group_id: f.groupId };
    const listed = await this.client.list('/v1/checks', 'checks', query, 'page_size', f.limit, f.offset);
    return { items: listed.items.map(toCheck), more: listed.more };
  }

  async createCheck(input: CheckInput): Promise<Check> {
    noThresholds(input);
    // The same target rules as on the embedded engine, so a bad URL is refused before Pingera sees it.
    checkTarget(input);
    const body = defined({
      name: input.name,
      type: input.type,
      ...targetOf(input),
      interval: input.interval,
      timeout: input.timeout,
      active: input.active,
      position: input.position,
      group_id: input.group_id ?? undefined,
      parameters: input.parameters,
    });
    const request = this.client.send('POST', '/v1/checks', body);
    // The one thing a create names that can be missing is its group.
    return toCheck(
      input.group_id ? await orNotFound(request, 'check group', input.group_id, 'group_id') : await request,
    );
  }

  async updateCheck(id: string, patch: Partial<CheckInput>): Promise<Check> {
    noThresholds(patch);
    const { group_id, failure_threshold: _f, recovery_threshold: _r, url, host, port, ...fields } = patch;
    const body = defined({ ...fields, ...targetOf({ url, host, port }) });
    let updated: unknown;
    if (Object.keys(body).length > 0) {
      updated = await orNotFound(
        this.client.send('PATCH', `/v1/checks/${seg(id)}`, body),
        'check',
        id,
        'check_id',
      );
    }
    if (group_id !== undefined) {
      await this.assignGroup(id, group_id, updated !== undefined);
      updated = undefined;
    }
    if (updated !== undefined) return toCheck(updated);
    const check = await this.getCheck(id);
    if (!check) throw new NotFoundError('check', id, 'check_id');
    return check;
  }

  /** `PATCH /v1/checks/{id}/group`; its 404 names the check or the group, whichever is missing. */
  private async assignGroup(id: string, groupId: string | null, checkSeen: boolean): Promise<void> {
    try {
      await this.client.send('PATCH', `/v1/checks/${seg(id)}/group`, { group_id: groupId });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      if (groupId === null || (!checkSeen && !(await this.getCheck(id)))) {
        throw new NotFoundError('check', id, 'check_id');
      }
      throw new NotFoundError('check group', groupId, 'group_id');
    }
  }

  async deleteCheck(id: string): Promise<void> {
    await orNotFound(this.client.send('DELETE', `/v1/checks/${seg(id)}`), 'check', id, 'check_id');
  }

  async listResults(f: ResultFilter): Promise<Page<CheckResult>> {
    const ids = f.checkIds;
    if (ids && ids.length > 1) return this.mergedResults(f, ids);
    const checkId = ids?.[0];
    const window = { start_date: at(f.since), end_date: at(f.until) };
    if (checkId && !f.status && !f.resultType) {
      const listed = await orNotFound(
        this.client.list(
          `/v1/checks/${seg(checkId)}/results`,
          'results',
          window,
          'page_size',
          f.limit,
          f.offset,
        ),
        'check',
        checkId,
        'check_id',
      );
      return { items: listed.items.map((r) => toResult(r, checkId)), more: listed.more };
    }
    const query = { ...window, check_id: checkId, status: f.status, result_type: f.resultType };
    const listed = await this.client.list(
      '/v1/checks/all-results',
      'results',
      query,
      'page_size',
      f.limit,
      f.offset,
    );
    return { items: listed.items.map((r) => toResult(r)), more: listed.more };
  }

  /**
   * Results of several checks, newest first: all-results takes one `check_id`, so each check's
   * newest `offset + limit` are read and merged here.
   */
  private async mergedResults(f: ResultFilter, ids: string[]): Promise<Page<CheckResult>> {
    const wanted = f.offset + f.limit;
    const parts: { items: CheckResult[]; more: boolean }[] = [];
    for (let i = 0; i < ids.length; i += FAN_OUT) {
      const batch = ids.slice(i, i + FAN_OUT);
      parts.push(
        ...(await Promise.all(
          batch.map((id) => this.listResults({ ...f, checkIds: [id], limit: wanted, offset: 0 })),
        )),
      );
    }
    const all = parts
      .flatMap((p) => p.items)
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id));
    return {
      items: all.slice(f.offset, wanted),
      more: all.length > wanted || parts.some((p) => p.more),
    };
  }

  async statistics(checkId: string, window: { since: number; until: number }) {
    const base = `/v1/checks/${seg(checkId)}`;
    const [uptime, times] = await orNotFound(
      Promise.all([
        this.client.get(`${base}/uptime`, { start_time: at(window.since), end_time: at(window.until) }),
        this.client.get(`${base}/response-times`, {
          start_date: at(window.since),
          end_date: at(window.until),
        }),
      ]),
      'check',
      checkId,
      'check_id',
    );
    return {
      check_id: checkId,
      since: new Date(window.since).toISOString(),
      until: new Date(window.until).toISOString(),
      ...uptimeOf(uptime),
      response_time: responseTimesOf(times),
    };
  }

  async statusHistory(checkId: string, limit: number, offset: number) {
    const listed = await orNotFound(
      this.client.list(
        `/v1/checks/${seg(checkId)}/status-history`,
        'status_history',
        {},
        'page_size',
        limit,
        offset,
      ),
      'check',
      checkId,
      'check_id',
    );
    return { items: listed.items.map(toPeriod), more: listed.more };
  }

  async executeExisting(checkId: string, wait: boolean): Promise<CheckJob> {
    const check = await this.getCheck(checkId);
    if (!check) throw new NotFoundError('check', checkId, 'check_id');
    const accepted = await orNotFound(
      this.client.send('POST', `/v1/checks/${seg(checkId)}/execute`),
      'check',
      checkId,
      'check_id',
    );
    const { name, type, url, host, port, timeout, parameters } = check;
    return this.follow(accepted, wait, check.timeout, {
      check_id: checkId,
      job_type: 'existing',
      check_parameters: { name, type, url, host, port, timeout, parameters },
    });
  }

  async executeCustom(target: CheckTarget & { name: string }, wait: boolean): Promise<CheckJob> {
    checkTarget(target);
    if (target.variables && Object.keys(target.variables).length > 0) {
      throw new NotSupportedError('secret values in a one-off run (Pingera takes secrets by id)', 'pingera');
    }
    const body = defined({
      name: target.name,
      type: target.type,
      ...targetOf(target),
      timeout: target.timeout,
      parameters: target.parameters,
    });
    const accepted = await this.client.send('POST', '/v1/checks/execute', body);
    return this.follow(accepted, wait, target.timeout, {
      check_id: null,
      job_type: 'custom',
      check_parameters: body,
    });
  }

  /**
   * The job a 202 named: read once, or, when waiting, every `pollMs` until it is completed or
   * failed. Past the run's timeout plus `graceMs` it is answered as it stands, with a note.
   * A job Pingera does not show yet is answered as the 202 said: queued (Vigil's `pending`).
   */
  private async follow(
    accepted: unknown,
    wait: boolean,
    timeoutSeconds: number,
    asked: Pick<CheckJob, 'check_id' | 'job_type' | 'check_parameters'>,
  ): Promise<CheckJob> {
    const jobId = str(obj(accepted)?.job_id);
    if (!jobId) {
      throw new VigilError(
        'UPSTREAM_ERROR',
        'Pingera accepted the run but named no job_id; try again later.',
        {
          provider: 'pingera',
          pingera: accepted,
        },
      );
    }
    const started = this.clock.now();
    const deadline = started + timeoutSeconds * 1000 + this.graceMs;
    for (;;) {
      const raw = await this.client.find(`/v1/checks/jobs/${seg(jobId)}`);
      const job: CheckJob = raw
        ? toJob(raw)
        : {
            id: jobId,
            ...asked,
            status: 'pending',
            result: null,
            error_message: null,
            created_at: new Date(started).toISOString(),
            started_at: null,
            completed_at: null,
          };
      if (!wait || job.status === 'completed' || job.status === 'failed') return job;
      if (this.clock.now() >= deadline) {
        const seconds = Math.round((this.clock.now() - started) / 1000);
        return {
          ...job,
          note: `Pingera had not finished the run after ${seconds} s; it is ${job.status}. Ask get_on_demand_job_status with job_id '${jobId}' for its result.`,
        };
      }
      await this.sleep(this.pollMs);
    }
  }

  async getJob(id: string): Promise<CheckJob | undefined> {
    const raw = await this.client.find(`/v1/checks/jobs/${seg(id)}`);
    return raw === undefined ? undefined : toJob(raw);
  }

  async listJobs(limit: number, offset: number): Promise<Page<CheckJob>> {
    const listed = await this.client.list('/v1/checks/jobs', 'jobs', {}, 'per_page', limit, offset);
    return { items: listed.items.map(toJob), more: listed.more };
  }

  async getGroup(id: string): Promise<CheckGroup | undefined> {
    const raw = await this.client.find(`/v1/check-groups/${seg(id)}`);
    return raw === undefined ? undefined : toGroup(raw);
  }

  async listGroups(limit: number, offset: number): Promise<Page<CheckGroup>> {
    const listed = await this.client.list('/v1/check-groups', 'groups', {}, 'page_size', limit, offset);
    return { items: listed.items.map(toGroup), more: listed.more };
  }

  async createGroup(input: CheckGroupInput): Promise<CheckGroup> {
    // A null description or color on create is none, which is what leaving it out gives.
    const body = groupBody({
      ...input,
      description: input.description ?? undefined,
      color: input.color ?? undefined,
    });
    return toGroup(await this.client.send('POST', '/v1/check-groups', body));
  }

  /**
   * Pingera refuses null in a body: a description is cleared by sending it empty; a color cannot
   * be cleared (its pattern takes only #RRGGBB).
   */
  async updateGroup(id: string, patch: Partial<CheckGroupInput>): Promise<CheckGroup> {
    if (patch.color === null) throw new NotSupportedError("clearing a check group's color", 'pingera');
    const body = groupBody({ ...patch, description: patch.description === null ? '' : patch.description });
    const path = `/v1/check-groups/${seg(id)}`;
    return toGroup(await orNotFound(this.client.send('PATCH', path, body), 'check group', id, 'group_id'));
  }

  async deleteGroup(id: string): Promise<void> {
    const path = `/v1/check-groups/${seg(id)}`;
    await orNotFound(this.client.send('DELETE', path), 'check group', id, 'group_id');
  }
}

/**
 * A check's target fields for a request body. Pingera refuses null in a body (it documents none
 * for these), so a null url, host or port is left out: on an update that keeps the value, which a
 * check of a type that does not use it ignores.
 */
function targetOf(t: Pick<CheckTarget, 'url' | 'host' | 'port'>) {
  return { url: t.url ?? undefined, host: t.host ?? undefined, port: t.port ?? undefined };
}

function groupBody(g: Partial<CheckGroupInput>) {
  return defined({
    name: g.name,
    description: g.description,
    color: g.color,
    position: g.position,
    active: g.active,
  });
}

/** Pingera judges each run on its own: thresholds other than 1 cannot be kept. */
function noThresholds(input: Partial<CheckInput>): void {
  for (const key of ['failure_threshold', 'recovery_threshold'] as const) {
    const value = input[key];
    if (value !== undefined && value !== 1) {
      throw new NotSupportedError(`${key} other than 1 (Pingera judges each run on its own)`, 'pingera');
    }
  }
}
