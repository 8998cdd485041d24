/**
 * Responder incidents on the embedded store: trigger with deduplication, acknowledge, resolve,
 * notes and alerts. Numbers come from a counter row, so concurrent triggers never share one.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { type Clock, systemClock } from '../../../core/clock.js';
import type { Page } from '../../../core/directory.js';
import { ConflictError, NotFoundError } from '../../../core/errors.js';
import type {
  Actor,
  Incident,
  IncidentFilter,
  IncidentNote,
  IncidentStatus,
  IncidentsPort,
  LogEntry,
  Ref,
  TriggerInput,
  Urgency,
} from '../../../core/incidents.js';
import { escalateTo, reassign, startEscalation, stopEscalation } from './escalation-state.js';
import { newId } from './ids.js';
import { logEntry } from './incident-log.js';
import { type Db, groupBy, mustAllExist, mustExist, page } from './repo-helpers.js';
import type { Database, IncidentsTable } from './schema.js';
import { isUniqueViolation } from './sql-errors.js';

const refOf = (id: string, summary: string | undefined): Ref => ({ id, summary: summary ?? id });

export class IncidentRepository implements IncidentsPort {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock = systemClock,
  ) {}

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }

  async get(idOrNumber: string): Promise<Incident | undefined> {
    const number = /^[0-9]{1,9}$/.test(idOrNumber) ? Number(idOrNumber) : undefined;
    const row = await this.db
      .selectFrom('incidents')
      .selectAll()
      .where((eb) =>
        number === undefined
          ? eb('id', '=', idOrNumber)
          : eb.or([eb('id', '=', idOrNumber), eb('number', '=', number)]),
      )
      .executeTakeFirst();
    return row ? (await this.hydrate(this.db, [row]))[0] : undefined;
  }

  async list(f: IncidentFilter): Promise<Page<Incident>> {
    let q = this.db
      .selectFrom('incidents')
      .selectAll()
      .where('status', 'in', f.statuses)
      .where('urgency', 'in', f.urgencies);
    if (f.serviceIds) q = q.where('service_id', 'in', f.serviceIds);
    if (f.teamIds) {
      const teamIds = f.teamIds;
      q = q.where('service_id', 'in', (eb) =>
        eb.selectFrom('service_teams').select('service_id').where('team_id', 'in', teamIds),
      );
    }
    if (f.since) q = q.where('created_at', '>=', f.since);
    if (f.until) q = q.where('created_at', '<', f.until);
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('number', 'desc')
      .limit(f.limit + 1)
      .offset(f.offset)
      .execute();
    const p = page(rows, f.limit);
    return { items: await this.hydrate(this.db, p.items), more: p.more };
  }

  async findOpen(serviceId: string, incidentKey: string): Promise<Incident | undefined> {
    const row = await this.db
      .selectFrom('incidents')
      .selectAll()
      .where('service_id', '=', serviceId)
      .where('incident_key', '=', incidentKey)
      .where('status', '<>', 'resolved')
      .executeTakeFirst();
    return row ? (await this.hydrate(this.db, [row]))[0] : undefined;
  }

  async trigger(input: TriggerInput): Promise<{ incident: Incident; created: boolean }> {
    try {
      return await this.triggerOnce(input);
    } catch (err) {
      // Another trigger with the same key opened the incident between our read and our write.
      if (input.incidentKey && isUniqueViolation(err)) return this.triggerOnce(input);
      throw err;
    }
  }

  private async triggerOnce(input: TriggerInput): Promise<{ incident: Incident; created: boolean }> {
    const at = this.isoNow();
    const result = await this.db.transaction().execute(async (trx) => {
      const service = await trx
        .selectFrom('services')
        .select(['id', 'escalation_policy_id'])
        .where('id', '=', input.serviceId)
        .executeTakeFirst();
      if (!service) throw new NotFoundError('service', input.serviceId, 'service_id');
      const open = input.incidentKey
        ? await trx
            .selectFrom('incidents')
            .select('id')
            .where('service_id', '=', input.serviceId)
            .where('incident_key', '=', input.incidentKey)
            .where('status', '<>', 'resolved')
            .executeTakeFirst()
        : undefined;
      const id = open?.id ?? newId();
      if (!open) {
        await trx
          .insertInto('incidents')
          .values({
            id,
            number: await nextNumber(trx),
            title: input.title,
            description: input.description ?? null,
            status: 'triggered',
            urgency: input.urgency,
            service_id: input.serviceId,
            escalation_policy_id: service.escalation_policy_id,
            incident_key: input.incidentKey ?? null,
            details: input.details ? JSON.stringify(input.details) : null,
            client_url: input.alert?.client_url ?? null,
            created_at: at,
            updated_at: at,
            last_status_change_at: at,
            last_status_change_by_type: input.by.type,
            last_status_change_by_id: input.by.id,
            resolved_at: null,
          })
          .execute();
        await logEntry(trx, id, 'trigger_log_entry', at, input.by, `Triggered: ${input.title}`, {
          urgency: input.urgency,
        });
        if (service.escalation_policy_id) {
          await startEscalation(trx, id, service.escalation_policy_id, this.clock.now());
        }
      } else {
        await trx.updateTable('incidents').set({ updated_at: at }).where('id', '=', id).execute();
        await logEntry(
          trx,
          id,
          'alert_log_entry',
          at,
          input.by,
          `Alert added: ${input.alert?.summary ?? input.title}`,
        );
      }
      if (input.alert) {
        await trx
          .insertInto('incident_alerts')
          .values({
            id: newId(),
            incident_id: id,
            status: 'triggered',
            payload: JSON.stringify(input.alert),
            created_at: at,
            resolved_at: null,
          })
          .execute();
      }
      return { id, created: !open };
    });
    return { incident: await this.mustGet(result.id), created: result.created };
  }

  async acknowledge(id: string, by: Actor): Promise<Incident> {
    await this.changeStatus(id, 'acknowledged', by, async (trx, at) => {
      if (by.type !== 'user') return;
      await trx
        .insertInto('incident_acknowledgements')
        .values({ incident_id: id, user_id: by.id, at })
        .onConflict((oc) => oc.columns(['incident_id', 'user_id']).doUpdateSet({ at }))
        .execute();
    });
    return this.mustGet(id);
  }

  async reassign(id: string, userIds: string[], by: Actor): Promise<Incident> {
    await this.db.transaction().execute(async (trx) => {
      const row = await this.openRow(trx, id, 'reassigned');
      const unique = [...new Set(userIds)];
      await mustAllExist(trx, 'users', unique, 'user', 'user_ids');
      await reassign(trx, row.id, unique, this.clock.now(), by);
      await trx.updateTable('incidents').set({ updated_at: this.isoNow() }).where('id', '=', id).execute();
    });
    return this.mustGet(id);
  }

  async escalate(id: string, level: number, by: Actor): Promise<Incident> {
    await this.db.transaction().execute(async (trx) => {
      const row = await this.openRow(trx, id, 'escalated');
      if (!row.escalation_policy_id) {
        throw new ConflictError(
          `Incident ${row.number} (${id}) has no escalation policy to escalate through.`,
          {
            parameter: 'incident_id',
          },
        );
      }
      await escalateTo(trx, id, row.escalation_policy_id, level - 1, this.clock.now(), by);
      await trx.updateTable('incidents').set({ updated_at: this.isoNow() }).where('id', '=', id).execute();
    });
    return this.mustGet(id);
  }

  async snooze(id: string, seconds: number, by: Actor): Promise<Incident> {
    await this.db.transaction().execute(async (trx) => {
      const row = await this.openRow(trx, id, 'snoozed');
      if (row.status !== 'acknowledged') {
        throw new ConflictError(
          `Incident ${row.number} (${id}) is ${row.status}; only an acknowledged incident can be snoozed.`,
          {
            parameter: 'incident_id',
            status: row.status,
          },
        );
      }
      const until = this.clock.now() + seconds * 1000;
      await trx
        .updateTable('incidents')
        .set({ snoozed_until: until, updated_at: this.isoNow() })
        .where('id', '=', id)
        .execute();
      const when = new Date(until).toISOString();
      await logEntry(trx, id, 'snooze_log_entry', this.isoNow(), by, `Snoozed until ${when}`, {
        snoozed_until: when,
      });
    });
    return this.mustGet(id);
  }

  /** The incident's row, which must exist and not be resolved. */
  private async openRow(trx: Transaction<Database>, id: string, verb: string) {
    const row = await trx.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('incident', id, 'incident_id');
    if (row.status === 'resolved') {
      throw new ConflictError(`Incident ${row.number} (${id}) is already resolved; it cannot be ${verb}.`, {
        parameter: 'incident_id',
        status: row.status,
      });
    }
    return row;
  }

  async resolve(id: string, by: Actor): Promise<Incident> {
    await this.changeStatus(id, 'resolved', by, async (trx, at) => {
      await trx.updateTable('incidents').set({ resolved_at: at }).where('id', '=', id).execute();
      await trx.deleteFrom('incident_assignments').where('incident_id', '=', id).execute();
      await trx
        .updateTable('incident_alerts')
        .set({ status: 'resolved', resolved_at: at })
        .where('incident_id', '=', id)
        .where('status', '=', 'triggered')
        .execute();
    });
    return this.mustGet(id);
  }

  private async changeStatus(
    id: string,
    status: IncidentStatus,
    by: Actor,
    extra: (trx: Transaction<Database>, at: string) => Promise<void>,
  ): Promise<void> {
    const at = this.isoNow();
    await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('incidents')
        .select(['status', 'number'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw new NotFoundError('incident', id, 'incident_id');
      if (row.status === 'resolved') {
        throw new ConflictError(
          `Incident ${row.number} (${id}) is already resolved; it cannot be ${status} again.`,
          {
            parameter: 'incident_id',
            status: row.status,
          },
        );
      }
      await trx
        .updateTable('incidents')
        .set({
          status,
          snoozed_until: null,
          updated_at: at,
          last_status_change_at: at,
          last_status_change_by_type: by.type,
          last_status_change_by_id: by.id,
        })
        .where('id', '=', id)
        .execute();
      await stopEscalation(trx, id);
      const resolved = status === 'resolved';
      await logEntry(
        trx,
        id,
        resolved ? 'resolve_log_entry' : 'acknowledge_log_entry',
        at,
        by,
        resolved ? 'Resolved' : 'Acknowledged',
      );
      await extra(trx, at);
    });
  }

  async addNote(
    id: string,
    note: { userId?: string | undefined; content: string; channel: string },
  ): Promise<IncidentNote> {
    const noteId = newId();
    const at = this.isoNow();
    await this.db.transaction().execute(async (trx) => {
      await mustExist(trx, 'incidents', id, 'incident', 'incident_id');
      await trx
        .insertInto('incident_notes')
        .values({
          id: noteId,
          incident_id: id,
          user_id: note.userId ?? null,
          channel: note.channel,
          content: note.content,
          created_at: at,
        })
        .execute();
      await trx.updateTable('incidents').set({ updated_at: at }).where('id', '=', id).execute();
      const actor = note.userId ? ({ type: 'user', id: note.userId } as const) : undefined;
      await logEntry(trx, id, 'annotate_log_entry', at, actor, `Note added: ${note.content.slice(0, 200)}`, {
        note_id: noteId,
      });
    });
    const notes = await this.notes(id);
    return notes.find((n) => n.id === noteId) as IncidentNote;
  }

  async notes(id: string): Promise<IncidentNote[]> {
    const rows = await this.db
      .selectFrom('incident_notes')
      .leftJoin('users', 'users.id', 'incident_notes.user_id')
      .select([
        'incident_notes.id',
        'incident_notes.content',
        'incident_notes.created_at',
        'incident_notes.channel',
        'users.id as user_id',
        'users.name as user_name',
      ])
      .where('incident_notes.incident_id', '=', id)
      .orderBy('incident_notes.created_at')
      .orderBy('incident_notes.id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      content: r.content,
      created_at: r.created_at,
      ...(r.user_id && { user: { id: r.user_id, name: r.user_name ?? r.user_id } }),
      channel: { summary: r.channel },
    }));
  }

  async timeline(id: string, limit: number, offset: number): Promise<Page<LogEntry>> {
    const rows = await this.db
      .selectFrom('incident_log')
      .leftJoin('users', (j) =>
        j.onRef('users.id', '=', 'incident_log.actor_id').on('incident_log.actor_type', '=', 'user'),
      )
      .leftJoin('services', (j) =>
        j.onRef('services.id', '=', 'incident_log.actor_id').on('incident_log.actor_type', '=', 'service'),
      )
      .select([
        'incident_log.id',
        'incident_log.type',
        'incident_log.at',
        'incident_log.summary',
        'incident_log.details',
        'incident_log.actor_type',
        'incident_log.actor_id',
        'users.name as user_name',
        'services.name as service_name',
      ])
      .where('incident_log.incident_id', '=', id)
      .orderBy('incident_log.at')
      .orderBy('incident_log.seq')
      .limit(limit + 1)
      .offset(offset)
      .execute();
    const p = page(rows, limit);
    return {
      more: p.more,
      items: p.items.map((r) => ({
        id: r.id,
        type: r.type,
        created_at: r.at,
        summary: r.summary,
        ...(r.actor_id && {
          agent: {
            id: r.actor_id,
            type: r.actor_type === 'user' ? ('user_reference' as const) : ('service_reference' as const),
            summary: r.user_name ?? r.service_name ?? r.actor_id,
          },
        }),
        ...(r.details !== null && { details: JSON.parse(r.details) as Record<string, unknown> }),
      })),
    };
  }

  async past(id: string, limit: number): Promise<(Incident & { similarity_score: number })[]> {
    const me = await this.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!me) throw new NotFoundError('incident', id, 'incident_id');
    const rows = await this.db
      .selectFrom('incidents')
      .selectAll()
      .where('service_id', '=', me.service_id)
      .where('id', '<>', id)
      .where('created_at', '<=', me.created_at)
      .orderBy('created_at', 'desc')
      .limit(100)
      .execute();
    const score = (r: IncidentsTable) =>
      (r.incident_key !== null && r.incident_key === me.incident_key) || r.title === me.title ? 1 : 0.5;
    const top = rows
      .map((r) => ({ r, s: score(r) }))
      .sort((a, b) => b.s - a.s)
      .slice(0, limit);
    const hydrated = await this.hydrate(
      this.db,
      top.map((t) => t.r),
    );
    return hydrated.map((inc, i) => ({ ...inc, similarity_score: top[i]?.s ?? 0 }));
  }

  async related(id: string, limit: number): Promise<(Incident & { relationship_type: string })[]> {
    const me = await this.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!me) throw new NotFoundError('incident', id, 'incident_id');
    const end = me.resolved_at ?? this.isoNow();
    const rows = await this.db
      .selectFrom('incidents')
      .selectAll()
      .where('id', '<>', id)
      .where('service_id', '<>', me.service_id)
      .where('service_id', 'in', (eb) =>
        eb
          .selectFrom('service_teams')
          .select('service_id')
          .where(
            'team_id',
            'in',
            eb.selectFrom('service_teams').select('team_id').where('service_id', '=', me.service_id),
          ),
      )
      .where('created_at', '<=', end)
      .where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>=', me.created_at)]))
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return (await this.hydrate(this.db, rows)).map((inc) => ({
      ...inc,
      relationship_type: 'concurrent_on_team_services',
    }));
  }

  private async mustGet(id: string): Promise<Incident> {
    const incident = await this.get(id);
    if (!incident) throw new NotFoundError('incident', id, 'incident_id');
    return incident;
  }

  private async hydrate(db: Db, rows: IncidentsTable[]): Promise<Incident[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const serviceIds = [...new Set(rows.map((r) => r.service_id))];
    const policyIds = [
      ...new Set(rows.map((r) => r.escalation_policy_id).filter((x): x is string => x !== null)),
    ];
    const userActors = [
      ...new Set(
        rows
          .filter((r) => r.last_status_change_by_type === 'user')
          .map((r) => r.last_status_change_by_id as string),
      ),
    ];
    const [services, teams, policies, assigned, acked, alerts, actors] = await Promise.all([
      db.selectFrom('services').select(['id', 'name']).where('id', 'in', serviceIds).execute(),
      db
        .selectFrom('service_teams')
        .innerJoin('teams', 'teams.id', 'service_teams.team_id')
        .select(['service_teams.service_id', 'teams.id', 'teams.name'])
        .where('service_teams.service_id', 'in', serviceIds)
        .orderBy('teams.name_lower')
        .execute(),
      policyIds.length
        ? db.selectFrom('escalation_policies').select(['id', 'name']).where('id', 'in', policyIds).execute()
        : [],
      db
        .selectFrom('incident_assignments')
        .innerJoin('users', 'users.id', 'incident_assignments.user_id')
        .select(['incident_assignments.incident_id', 'incident_assignments.at', 'users.id', 'users.name'])
        .where('incident_assignments.incident_id', 'in', ids)
        .orderBy('incident_assignments.at')
        .execute(),
      db
        .selectFrom('incident_acknowledgements')
        .innerJoin('users', 'users.id', 'incident_acknowledgements.user_id')
        .select([
          'incident_acknowledgements.incident_id',
          'incident_acknowledgements.at',
          'users.id',
          'users.name',
        ])
        .where('incident_acknowledgements.incident_id', 'in', ids)
        .orderBy('incident_acknowledgements.at')
        .execute(),
      db
        .selectFrom('incident_alerts')
        .select(['incident_id', 'status', sql<number>`count(*)`.as('n')])
        .where('incident_id', 'in', ids)
        .groupBy(['incident_id', 'status'])
        .execute(),
      userActors.length
        ? db.selectFrom('users').select(['id', 'name']).where('id', 'in', userActors).execute()
        : [],
    ]);
    const serviceName = new Map(services.map((s) => [s.id, s.name]));
    const policyName = new Map(policies.map((p) => [p.id, p.name]));
    const actorName = new Map(actors.map((a) => [a.id, a.name]));
    const teamsBy = groupBy(teams, (t) => t.service_id);
    const assignedBy = groupBy(assigned, (a) => a.incident_id);
    const ackedBy = groupBy(acked, (a) => a.incident_id);
    const alertsBy = groupBy(alerts, (a) => a.incident_id);
    return rows.map((r): Incident => {
      const counts = { triggered: 0, resolved: 0, all: 0 };
      for (const a of alertsBy.get(r.id) ?? []) {
        const n = Number(a.n);
        if (a.status === 'triggered' || a.status === 'resolved') counts[a.status] += n;
        counts.all += n;
      }
      const byType = r.last_status_change_by_type;
      const byId = r.last_status_change_by_id;
      return {
        id: r.id,
        type: 'incident',
        incident_number: r.number,
        title: r.title,
        summary: `[#${r.number}] ${r.title}`,
        ...(r.description !== null && { description: r.description }),
        status: r.status as IncidentStatus,
        urgency: r.urgency as Urgency,
        ...(r.incident_key !== null && { incident_key: r.incident_key }),
        created_at: r.created_at,
        updated_at: r.updated_at,
        last_status_change_at: r.last_status_change_at,
        ...(byType &&
          byId && {
            last_status_change_by: {
              ...refOf(byId, byType === 'user' ? actorName.get(byId) : serviceName.get(byId)),
              type: byType === 'user' ? 'user_reference' : 'service_reference',
            },
          }),
        ...(r.resolved_at !== null && { resolved_at: r.resolved_at }),
        ...(r.snoozed_until !== null && { snoozed_until: new Date(Number(r.snoozed_until)).toISOString() }),
        service: refOf(r.service_id, serviceName.get(r.service_id)),
        ...(r.escalation_policy_id !== null && {
          escalation_policy: refOf(r.escalation_policy_id, policyName.get(r.escalation_policy_id)),
        }),
        teams: (teamsBy.get(r.service_id) ?? []).map((t) => refOf(t.id, t.name)),
        assignments: (assignedBy.get(r.id) ?? []).map((a) => ({ assignee: refOf(a.id, a.name), at: a.at })),
        acknowledgements: (ackedBy.get(r.id) ?? []).map((a) => ({
          acknowledger: refOf(a.id, a.name),
          at: a.at,
        })),
        alert_counts: counts,
        ...(r.details !== null && { body_details: JSON.parse(r.details) as Record<string, unknown> }),
        ...(r.client_url !== null && { client_url: r.client_url }),
      };
    });
  }
}

/** The next incident number, from a counter row (atomic on SQLite and PostgreSQL). */
async function nextNumber(trx: Transaction<Database>): Promise<number> {
  await trx
    .insertInto('sequences')
    .values({ name: 'incident_number', value: 0 })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await trx
    .updateTable('sequences')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('name', '=', 'incident_number')
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value);
}
