/**
 * Checks and check groups on the embedded store. A new or changed check gets its next run spread
 * by its id across the first minute, so checks created together do not all fire together.
 */
import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { checkTarget } from '../../../core/check-target.js';
import type { Check, CheckFilter, CheckGroup, CheckGroupInput, CheckInput } from '../../../core/checks.js';
import type { Clock } from '../../../core/clock.js';
import type { Page } from '../../../core/directory.js';
import { NotFoundError } from '../../../core/errors.js';
import { newId } from './ids.js';
import { page } from './repo-helpers.js';
import type { CheckGroupsTable, ChecksTable, Database } from './schema.js';
import { likePattern } from './sql-errors.js';

export const DEFAULT_INTERVAL = 300;
const DEFAULTS = { timeout: 10, failure_threshold: 1, recovery_threshold: 1 };
const SPREAD_MS = 60_000;

/** Where in the first minute a check first runs: fixed by its id, even across the lot. */
export function phase(id: string): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0) % SPREAD_MS;
}

export class CheckRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async getCheck(id: string): Promise<Check | undefined> {
    const row = await this.db.selectFrom('checks').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? (await this.hydrate([row]))[0] : undefined;
  }

  async listChecks(f: CheckFilter): Promise<Page<Check>> {
    let q = this.db.selectFrom('checks').selectAll();
    if (f.type) q = q.where('type', '=', f.type);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.groupId) q = q.where('group_id', '=', f.groupId);
    if (f.name) q = q.where(sql`lower(name)`, 'like', sql<string>`${likePattern(f.name)} escape '\\'`);
    const rows = await q
      .orderBy('position')
      .orderBy('name')
      .orderBy('id')
      .limit(f.limit + 1)
      .offset(f.offset)
      .execute();
    const p = page(rows, f.limit);
    return { items: await this.hydrate(p.items), more: p.more };
  }

  async createCheck(input: CheckInput): Promise<Check> {
    const parameters = checkTarget(input);
    await this.mustHaveGroup(input.group_id);
    const id = newId();
    const now = this.clock.now();
    const at = new Date(now).toISOString();
    const active = input.active ?? true;
    await this.db
      .insertInto('checks')
      .values({
        id,
        name: input.name,
        type: input.type,
        url: input.url ?? null,
        host: input.host ?? null,
        port: input.port ?? null,
        interval: input.interval ?? DEFAULT_INTERVAL,
        timeout: input.timeout ?? DEFAULTS.timeout,
        active: active ? 1 : 0,
        position: input.position ?? 0,
        group_id: input.group_id ?? null,
        parameters: JSON.stringify(parameters),
        failure_threshold: input.failure_threshold ?? DEFAULTS.failure_threshold,
        recovery_threshold: input.recovery_threshold ?? DEFAULTS.recovery_threshold,
        status: active ? 'pending' : 'paused',
        consecutive: 0,
        last_result: null,
        last_checked_at: null,
        next_run_at: active ? now + phase(id) : null,
        created_at: at,
        updated_at: at,
        claimed_until: 0,
      })
      .execute();
    return this.mustGet(id);
  }

  async updateCheck(id: string, patch: Partial<CheckInput>): Promise<Check> {
    const row = await this.db.selectFrom('checks').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('check', id, 'check_id');
    const merged = {
      type: patch.type ?? row.type,
      url: patch.url === undefined ? row.url : patch.url,
      host: patch.host === undefined ? row.host : patch.host,
      port: patch.port === undefined ? row.port : patch.port,
      parameters: patch.parameters ?? (JSON.parse(row.parameters) as Record<string, unknown>),
    };
    const parameters = checkTarget(merged);
    if (patch.group_id !== undefined) await this.mustHaveGroup(patch.group_id);
    const now = this.clock.now();
    const active = patch.active ?? row.active === 1;
    const resumed = active && row.active === 0;
    const set: Partial<ChecksTable> = {
      ...merged,
      parameters: JSON.stringify(parameters),
      active: active ? 1 : 0,
      updated_at: new Date(now).toISOString(),
    };
    for (const k of [
      'name',
      'interval',
      'timeout',
      'position',
      'group_id',
      'failure_threshold',
      'recovery_threshold',
    ] as const) {
      if (patch[k] !== undefined) (set as Record<string, unknown>)[k] = patch[k];
    }
    if (!active) Object.assign(set, { status: 'paused', next_run_at: null, consecutive: 0 });
    // Resumed, or its target or timing changed: judged afresh from its next run, due within a minute.
    const retarget = ['type', 'url', 'host', 'port', 'parameters', 'interval'].some(
      (k) => patch[k as keyof CheckInput] !== undefined,
    );
    if (active && (resumed || retarget)) {
      Object.assign(set, { status: 'pending', consecutive: 0, next_run_at: now + phase(id) });
    }
    await this.db.updateTable('checks').set(set).where('id', '=', id).execute();
    return this.mustGet(id);
  }

  async deleteCheck(id: string): Promise<void> {
    const result = await this.db.deleteFrom('checks').where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new NotFoundError('check', id, 'check_id');
  }

  async getGroup(id: string): Promise<CheckGroup | undefined> {
    const row = await this.db.selectFrom('check_groups').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? (await this.hydrateGroups([row]))[0] : undefined;
  }

  async listGroups(limit: number, offset: number): Promise<Page<CheckGroup>> {
    const rows = await this.db
      .selectFrom('check_groups')
      .selectAll()
      .orderBy('position')
      .orderBy('name')
      .limit(limit + 1)
      .offset(offset)
      .execute();
    const p = page(rows, limit);
    return { items: await this.hydrateGroups(p.items), more: p.more };
  }

  async createGroup(input: CheckGroupInput): Promise<CheckGroup> {
    const id = newId();
    const at = new Date(this.clock.now()).toISOString();
    await this.db
      .insertInto('check_groups')
      .values({
        id,
        name: input.name,
        description: input.description ?? null,
        color: input.color ?? null,
        position: input.position ?? 0,
        active: (input.active ?? true) ? 1 : 0,
        created_at: at,
        updated_at: at,
      })
      .execute();
    return this.mustGetGroup(id);
  }

  async updateGroup(id: string, patch: Partial<CheckGroupInput>): Promise<CheckGroup> {
    const set: Partial<CheckGroupsTable> = { updated_at: new Date(this.clock.now()).toISOString() };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.color !== undefined) set.color = patch.color;
    if (patch.position !== undefined) set.position = patch.position;
    if (patch.active !== undefined) set.active = patch.active ? 1 : 0;
    const result = await this.db.updateTable('check_groups').set(set).where('id', '=', id).executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw new NotFoundError('check group', id, 'group_id');
    return this.mustGetGroup(id);
  }

  /** Deletes a group; its checks stay, ungrouped. */
  async deleteGroup(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('checks').set({ group_id: null }).where('group_id', '=', id).execute();
      const result = await trx.deleteFrom('check_groups').where('id', '=', id).executeTakeFirst();
      if (result.numDeletedRows === 0n) throw new NotFoundError('check group', id, 'group_id');
    });
  }

  private async mustHaveGroup(groupId: string | null | undefined) {
    if (!groupId) return;
    const found = await this.db
      .selectFrom('check_groups')
      .select('id')
      .where('id', '=', groupId)
      .executeTakeFirst();
    if (!found) throw new NotFoundError('check group', groupId, 'group_id');
  }

  private async mustGet(id: string): Promise<Check> {
    const check = await this.getCheck(id);
    if (!check) throw new NotFoundError('check', id, 'check_id');
    return check;
  }

  private async mustGetGroup(id: string): Promise<CheckGroup> {
    const group = await this.getGroup(id);
    if (!group) throw new NotFoundError('check group', id, 'group_id');
    return group;
  }

  private async hydrate(rows: ChecksTable[]): Promise<Check[]> {
    const groupIds = [...new Set(rows.map((r) => r.group_id).filter((g): g is string => g !== null))];
    const groups = groupIds.length
      ? await this.db.selectFrom('check_groups').select(['id', 'name']).where('id', 'in', groupIds).execute()
      : [];
    const names = new Map(groups.map((g) => [g.id, g.name]));
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      type: r.type,
      url: r.url,
      host: r.host,
      port: r.port,
      interval: r.interval,
      timeout: r.timeout,
      active: r.active === 1,
      position: r.position,
      group_id: r.group_id,
      group: r.group_id ? { id: r.group_id, name: names.get(r.group_id) ?? r.group_id } : null,
      parameters: JSON.parse(r.parameters),
      failure_threshold: r.failure_threshold,
      recovery_threshold: r.recovery_threshold,
      status: r.status,
      last_checked_at: r.last_checked_at === null ? null : new Date(r.last_checked_at).toISOString(),
      next_run_at: r.next_run_at === null ? null : new Date(r.next_run_at).toISOString(),
      created_at: r.created_at,
      updated_at: r.updated_at,
    }));
  }

  private async hydrateGroups(rows: CheckGroupsTable[]): Promise<CheckGroup[]> {
    if (rows.length === 0) return [];
    const counts = await this.db
      .selectFrom('checks')
      .select(['group_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where(
        'group_id',
        'in',
        rows.map((r) => r.id),
      )
      .groupBy('group_id')
      .execute();
    const count = new Map(counts.map((c) => [c.group_id, Number(c.n)]));
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      color: r.color,
      position: r.position,
      active: r.active === 1,
      checks_count: count.get(r.id) ?? 0,
      created_at: r.created_at,
      updated_at: r.updated_at,
    }));
  }
}
