/**
 * On-call schedules on the embedded store: layers (rotations with their users and
 * restrictions), overrides and teams. A schedule's layers are replaced as a whole on update.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Page } from '../../../core/directory.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../core/errors.js';
import { coverage, type Span } from '../../../core/rotation.js';
import {
  type LayerInput,
  MAX_WINDOW_DAYS,
  type OncallFilter,
  type OverrideInput,
  parseLayers,
  type Schedule,
  type ScheduleFilter,
  type ScheduleInput,
  type ScheduleOverride,
  type SchedulesPort,
  type Window,
} from '../../../core/schedules.js';
import { TimeZone } from '../../../core/time-zone.js';
import { newId, now } from './ids.js';
import { listOncalls } from './oncalls.js';
import { type Db, groupBy, mustAllExist, page, policiesThroughSchedules } from './repo-helpers.js';
import { loadSchedules, render } from './schedule-render.js';
import type { Database, SchedulesTable } from './schema.js';
import { likePattern, uniquely } from './sql-errors.js';

export class ScheduleRepository implements SchedulesPort {
  constructor(private readonly db: Kysely<Database>) {}

  async getSchedule(id: string, window?: Window): Promise<Schedule | undefined> {
    const row = await this.db.selectFrom('schedules').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? (await this.hydrate(this.db, [row], window))[0] : undefined;
  }

  async listSchedules(f: ScheduleFilter): Promise<Page<Schedule>> {
    let q = this.db.selectFrom('schedules').selectAll();
    if (f.query) q = q.where('name_lower', 'like', sql<string>`${likePattern(f.query)} escape '\\'`);
    if (f.teamIds) {
      const teamIds = f.teamIds;
      q = q.where('id', 'in', (eb) =>
        eb.selectFrom('schedule_teams').select('schedule_id').where('team_id', 'in', teamIds),
      );
    }
    if (f.userIds) {
      const userIds = f.userIds;
      q = q.where('id', 'in', (eb) =>
        eb
          .selectFrom('schedule_layer_users')
          .innerJoin('schedule_layers', 'schedule_layers.id', 'schedule_layer_users.layer_id')
          .select('schedule_layers.schedule_id')
          .where('schedule_layer_users.user_id', 'in', userIds),
      );
    }
    const rows = await q
      .orderBy('name_lower')
      .orderBy('id')
      .limit(f.limit + 1)
      .offset(f.offset)
      .execute();
    const p = page(rows, f.limit);
    return { items: await this.hydrate(this.db, p.items), more: p.more };
  }

  async createSchedule(input: ScheduleInput): Promise<Schedule> {
    const id = newId();
    const at = now();
    await this.db.transaction().execute(async (trx) => {
      await uniquely(`A schedule named '${input.name}' already exists.`, 'name', () =>
        trx
          .insertInto('schedules')
          .values({
            id,
            name: input.name,
            name_lower: input.name.toLowerCase(),
            description: input.description ?? null,
            time_zone: input.time_zone,
            created_at: at,
            updated_at: at,
          })
          .execute(),
      );
      await this.replaceLayers(trx, id, input.schedule_layers, input.time_zone);
      await this.replaceTeams(trx, id, input.team_ids ?? []);
    });
    return this.mustGet(id);
  }

  async updateSchedule(id: string, patch: Partial<ScheduleInput>): Promise<Schedule> {
    await this.db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom('schedules')
        .select('time_zone')
        .where('id', '=', id)
        .executeTakeFirst();
      if (!current) throw new NotFoundError('schedule', id, 'schedule_id');
      const set: Partial<SchedulesTable> = { updated_at: now() };
      if (patch.name !== undefined) {
        set.name = patch.name;
        set.name_lower = patch.name.toLowerCase();
      }
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.time_zone !== undefined) set.time_zone = patch.time_zone;
      await uniquely(`A schedule named '${patch.name}' already exists.`, 'name', () =>
        trx.updateTable('schedules').set(set).where('id', '=', id).execute(),
      );
      const timeZone = patch.time_zone ?? current.time_zone;
      if (patch.schedule_layers) await this.replaceLayers(trx, id, patch.schedule_layers, timeZone);
      else if (patch.time_zone) await this.checkLayers(trx, id, timeZone);
      if (patch.team_ids) await this.replaceTeams(trx, id, patch.team_ids);
    });
    return this.mustGet(id);
  }

  async deleteSchedule(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const found = await trx.selectFrom('schedules').select('id').where('id', '=', id).executeTakeFirst();
      if (!found) throw new NotFoundError('schedule', id, 'schedule_id');
      const policies = await trx
        .selectFrom('escalation_targets')
        .innerJoin('escalation_rules', 'escalation_rules.id', 'escalation_targets.rule_id')
        .innerJoin('escalation_policies', 'escalation_policies.id', 'escalation_rules.policy_id')
        .select(['escalation_policies.id', 'escalation_policies.name'])
        .distinct()
        .where('escalation_targets.target_type', '=', 'schedule_reference')
        .where('escalation_targets.target_id', '=', id)
        .execute();
      if (policies.length) {
        throw new ConflictError(
          `Schedule ${id} is a target of ${policies.map((p) => `${p.name} (${p.id})`).join(', ')}; take it out of those escalation policies first.`,
          { parameter: 'schedule_id', escalation_policy_ids: policies.map((p) => p.id) },
        );
      }
      await trx.deleteFrom('schedules').where('id', '=', id).execute();
    });
  }

  async createOverride(scheduleId: string, input: OverrideInput): Promise<ScheduleOverride> {
    const start = Date.parse(input.start);
    const end = Date.parse(input.end);
    if (end <= start) throw new ValidationError('`end` must be after `start`.', { parameter: 'end' });
    if (end - start > MAX_WINDOW_DAYS * 86_400_000) {
      throw new ValidationError(`An override lasts at most ${MAX_WINDOW_DAYS} days.`, { parameter: 'end' });
    }
    const id = newId();
    const at = now();
    await this.db.transaction().execute(async (trx) => {
      const found = await trx
        .selectFrom('schedules')
        .select('id')
        .where('id', '=', scheduleId)
        .executeTakeFirst();
      if (!found) throw new NotFoundError('schedule', scheduleId, 'schedule_id');
      await mustAllExist(trx, 'users', [input.user_id], 'user', 'user_id');
      const last = await trx
        .selectFrom('schedule_overrides')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('schedule_id', '=', scheduleId)
        .executeTakeFirst();
      await trx
        .insertInto('schedule_overrides')
        .values({
          id,
          schedule_id: scheduleId,
          user_id: input.user_id,
          start_at: start,
          end_at: end,
          seq: Number(last?.seq ?? 0) + 1,
          created_at: at,
        })
        .execute();
      await trx.updateTable('schedules').set({ updated_at: at }).where('id', '=', scheduleId).execute();
    });
    // Answered from what was written: rendering a long override's window would be wasted work.
    const [row, user] = await Promise.all([
      this.db
        .selectFrom('schedules')
        .select('time_zone')
        .where('id', '=', scheduleId)
        .executeTakeFirstOrThrow(),
      this.db.selectFrom('users').select('name').where('id', '=', input.user_id).executeTakeFirstOrThrow(),
    ]);
    const tz = TimeZone.of(row.time_zone);
    return {
      id,
      start: tz.format(start),
      end: tz.format(end),
      user: { id: input.user_id, summary: user.name },
      created_at: at,
    };
  }

  async deleteOverride(scheduleId: string, overrideId: string): Promise<void> {
    const result = await this.db
      .deleteFrom('schedule_overrides')
      .where('id', '=', overrideId)
      .where('schedule_id', '=', scheduleId)
      .executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new NotFoundError('override', overrideId, 'override_id');
  }

  async usersOnCall(scheduleId: string, window: Window): Promise<string[]> {
    const schedule = (await loadSchedules(this.db, [scheduleId], window)).get(scheduleId);
    if (!schedule) throw new NotFoundError('schedule', scheduleId, 'schedule_id');
    return [...new Set(render(schedule, window).final.map((s) => s.userId))];
  }

  listOncalls(filter: OncallFilter) {
    return listOncalls(this.db, filter);
  }

  private async mustGet(id: string, window?: Window): Promise<Schedule> {
    const schedule = await this.getSchedule(id, window);
    if (!schedule) throw new NotFoundError('schedule', id, 'schedule_id');
    return schedule;
  }

  private async replaceLayers(
    trx: Transaction<Database>,
    scheduleId: string,
    layers: LayerInput[],
    tz: string,
  ) {
    const parsed = parseLayers(layers, tz);
    for (const [i, layer] of layers.entries()) {
      await mustAllExist(trx, 'users', [...new Set(layer.users)], 'user', `schedule_layers[${i}].users`);
    }
    await trx.deleteFrom('schedule_layers').where('schedule_id', '=', scheduleId).execute();
    for (const [position, { name, spec }] of parsed.entries()) {
      const layerId = newId();
      await trx
        .insertInto('schedule_layers')
        .values({
          id: layerId,
          schedule_id: scheduleId,
          position,
          name,
          start_at: spec.start,
          end_at: spec.end,
          virtual_start_at: spec.virtualStart,
          turn_seconds: spec.turnSeconds,
          restrictions: JSON.stringify(spec.restrictions),
        })
        .execute();
      await trx
        .insertInto('schedule_layer_users')
        .values(spec.userIds.map((user_id, i) => ({ layer_id: layerId, position: i, user_id })))
        .execute();
    }
  }

  /** A new time zone moves every restriction: the stored layers must still page someone. */
  private async checkLayers(trx: Transaction<Database>, scheduleId: string, tz: string) {
    const far = { since: 0, until: 1 };
    const stored = (await loadSchedules(trx, [scheduleId], far)).get(scheduleId);
    parseLayers(
      (stored?.layers ?? []).map((l) => ({
        start: new Date(l.start_at).toISOString(),
        end: l.end_at === null ? null : new Date(l.end_at).toISOString(),
        rotation_virtual_start: new Date(l.virtual_start_at).toISOString(),
        rotation_turn_length_seconds: l.turn_seconds,
        users: [...l.spec.userIds],
        restrictions: [...l.spec.restrictions],
      })),
      tz,
    );
  }

  private async replaceTeams(trx: Transaction<Database>, scheduleId: string, teamIds: string[]) {
    const unique = [...new Set(teamIds)];
    await mustAllExist(trx, 'teams', unique, 'team', 'team_ids');
    await trx.deleteFrom('schedule_teams').where('schedule_id', '=', scheduleId).execute();
    if (unique.length) {
      await trx
        .insertInto('schedule_teams')
        .values(unique.map((team_id) => ({ schedule_id: scheduleId, team_id })))
        .execute();
    }
  }

  private async hydrate(db: Db, rows: SchedulesTable[], window?: Window): Promise<Schedule[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [stored, teams, policies] = await Promise.all([
      loadSchedules(db, ids, window ?? { since: 0, until: 0 }),
      db
        .selectFrom('schedule_teams')
        .innerJoin('teams', 'teams.id', 'schedule_teams.team_id')
        .select(['schedule_teams.schedule_id', 'teams.id', 'teams.name'])
        .where('schedule_teams.schedule_id', 'in', ids)
        .orderBy('teams.name_lower')
        .execute(),
      policiesThroughSchedules(db, ids),
    ]);
    const userIds = new Set<string>();
    for (const s of stored.values()) {
      for (const l of s.layers) for (const u of l.spec.userIds) userIds.add(u);
      for (const o of s.overrides) userIds.add(o.user_id);
    }
    const users = userIds.size
      ? await db
          .selectFrom('users')
          .select(['id', 'name'])
          .where('id', 'in', [...userIds])
          .execute()
      : [];
    const names = new Map(users.map((u) => [u.id, u.name]));
    const who = (id: string) => ({ id, summary: names.get(id) ?? id });
    const teamsBy = groupBy(teams, (t) => t.schedule_id);
    const policiesBy = groupBy(policies, (p) => p.target_id);
    return rows.map((r) => {
      const s = stored.get(r.id);
      const tz = s?.tz as TimeZone;
      const rendered = s && window ? render(s, window) : undefined;
      const entries = (spans: Span[]) =>
        spans.map((x) => ({ start: tz.format(x.start), end: tz.format(x.end), user: who(x.userId) }));
      const layerUsers = [...new Set(s?.layers.flatMap((l) => l.spec.userIds) ?? [])];
      return {
        id: r.id,
        type: 'schedule',
        name: r.name,
        summary: r.name,
        ...(r.description !== null && { description: r.description }),
        time_zone: r.time_zone,
        schedule_layers: (s?.layers ?? []).map((l, i) => ({
          id: l.id,
          name: l.name,
          start: tz.format(l.start_at),
          end: l.end_at === null ? null : tz.format(l.end_at),
          rotation_virtual_start: tz.format(l.virtual_start_at),
          rotation_turn_length_seconds: l.turn_seconds,
          users: l.spec.userIds.map(who),
          restrictions: [...l.spec.restrictions],
          ...(rendered && { rendered_schedule_entries: entries(rendered.layers[i] ?? []) }),
        })),
        escalation_policies: (policiesBy.get(r.id) ?? []).map((p) => ({ id: p.id, summary: p.name })),
        teams: (teamsBy.get(r.id) ?? []).map((t) => ({ id: t.id, summary: t.name })),
        users: layerUsers.map(who),
        ...(rendered &&
          window && {
            overrides: (s?.overrides ?? []).map((o) => ({
              id: o.id,
              start: tz.format(o.start_at),
              end: tz.format(o.end_at),
              user: who(o.user_id),
              created_at: o.created_at,
            })),
            final_schedule: {
              name: 'Final Schedule' as const,
              rendered_schedule_entries: entries(rendered.final),
              rendered_coverage_percentage: coverage(rendered.final, window.since, window.until),
            },
          }),
        created_at: r.created_at,
        updated_at: r.updated_at,
      };
    });
  }
}
