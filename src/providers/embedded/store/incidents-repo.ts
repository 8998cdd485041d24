/**
 * Responder incidents on the embedded store: trigger with deduplication, acknowledge, resolve,
 * notes and alerts. Numbers come from a counter row, so concurrent triggers never share one.
 */
import type { Kysely, Transaction } from 'kysely';
import { type Clock, systemClock } from '../../../core/clock.js';
import { incidentUrgency, type Page } from '../../../core/directory.js';
import { ConflictError, NotFoundError } from '../../../core/errors.js';
import type {
  Actor,
  Incident,
  IncidentAlert,
  IncidentFilter,
  IncidentNote,
  IncidentStatus,
  IncidentsPort,
  LogEntry,
  TriggerInput,
} from '../../../core/incidents.js';
import { escalateTo, reassign, startEscalation, stopEscalation } from './escalation-state.js';
import { newId } from './ids.js';
import { hydrateIncidents } from './incident-hydrate.js';
import { logEntry, readTimeline } from './incident-log.js';
import { mustAllExist, mustExist, page } from './repo-helpers.js';
import type { Database, IncidentsTable } from './schema.js';
import { isUniqueViolation } from './sql-errors.js';
import { nextNumbers, type RoutedTrigger, type RoutedTriggerResult, triggerBatch } from './trigger-batch.js';

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
    return row ? (await hydrateIncidents(this.db, [row]))[0] : undefined;
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
    return { items: await hydrateIncidents(this.db, p.items), more: p.more };
  }

  async findOpen(serviceId: string, incidentKey: string): Promise<Incident | undefined> {
    const row = await this.db
      .selectFrom('incidents')
      .selectAll()
      .where('service_id', '=', serviceId)
      .where('incident_key', '=', incidentKey)
      .where('status', '<>', 'resolved')
      .executeTakeFirst();
    return row ? (await hydrateIncidents(this.db, [row]))[0] : undefined;
  }

  async trigger(input: TriggerInput): Promise<{ id: string; created: boolean }> {
    try {
      return await this.triggerOnce(input);
    } catch (err) {
      // Another trigger with the same key opened the incident between our read and our write.
      if (input.incidentKey && isUniqueViolation(err)) return this.triggerOnce(input);
      throw err;
    }
  }

  /** Events API triggers by routing key, many in one transaction (see trigger-batch.ts). */
  triggerBatch(items: readonly RoutedTrigger[]): Promise<RoutedTriggerResult[]> {
    return triggerBatch(this.db, items, this.clock);
  }

  private async triggerOnce(input: TriggerInput): Promise<{ id: string; created: boolean }> {
    const at = this.isoNow();
    const result = await this.db.transaction().execute(async (trx) => {
      const service = await trx
        .selectFrom('services')
        .select(['id', 'escalation_policy_id', 'incident_urgency'])
        .where('id', '=', input.serviceId)
        .executeTakeFirst();
      if (!service) throw new NotFoundError('service', input.serviceId, 'service_id');
      const urgency = incidentUrgency(service.incident_urgency, input);
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
            number: await nextNumbers(trx, 1),
            title: input.title,
            description: input.description ?? null,
            status: 'triggered',
            urgency,
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
          urgency,
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
    return result;
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
      const resolved = status === 'resolved';
      await logEntry(
        trx,
        id,
        resolved ? 'resolve_log_entry' : 'acknowledge_log_entry',
        at,
        by,
        resolved ? 'Resolved' : 'Acknowledged',
      );
      // After the entry above: the pages it cancels say so below it in the timeline.
      await stopEscalation(trx, id, Date.parse(at), resolved ? 'resolved' : 'acknowledged');
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

  async alerts(id: string, limit: number): Promise<IncidentAlert[]> {
    const rows = await this.db
      .selectFrom('incident_alerts')
      .select(['id', 'status', 'payload', 'created_at', 'resolved_at'])
      .where('incident_id', '=', id)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      status: r.status,
      created_at: r.created_at,
      ...(r.resolved_at && { resolved_at: r.resolved_at }),
      body: JSON.parse(r.payload) as IncidentAlert['body'],
    }));
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

  timeline(id: string, limit: number, offset: number): Promise<Page<LogEntry>> {
    return readTimeline(this.db, id, limit, offset);
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
    const hydrated = await hydrateIncidents(
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
    return (await hydrateIncidents(this.db, rows)).map((inc) => ({
      ...inc,
      relationship_type: 'concurrent_on_team_services',
    }));
  }

  private async mustGet(id: string): Promise<Incident> {
    const incident = await this.get(id);
    if (!incident) throw new NotFoundError('incident', id, 'incident_id');
    return incident;
  }
}
