/**
 * Services on the embedded store: their teams, escalation policy and Events API integration key.
 * An active service under a maintenance window in effect reads `status: 'maintenance'`, as on
 * PagerDuty; what is stored stays `active`.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { type Clock, systemClock } from '../../../core/clock.js';
import type { Page, Service, ServiceInput } from '../../../core/directory.js';
import { NotFoundError } from '../../../core/errors.js';
import { newId, newIntegrationKey, now } from './ids.js';
import { windowsInEffect } from './maintenance-silencers.js';
import { type Db, type Filter, groupBy, mustAllExist, mustExist, page, ref } from './repo-helpers.js';
import type { Database, ServicesTable } from './schema.js';
import { likePattern, uniquely } from './sql-errors.js';

export class ServiceRepository {
  constructor(
    private readonly db: Kysely<Database>,
    /** Tells which maintenance windows are in effect. */
    private readonly clock: Clock = systemClock,
  ) {}

  async getService(id: string): Promise<Service | undefined> {
    const row = await this.db.selectFrom('services').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? (await this.hydrateServices(this.db, [row]))[0] : undefined;
  }

  async findServiceByIntegrationKey(key: string): Promise<Service | undefined> {
    const row = await this.db
      .selectFrom('services')
      .selectAll()
      .where('integration_key', '=', key)
      .executeTakeFirst();
    return row ? (await this.hydrateServices(this.db, [row]))[0] : undefined;
  }

  async listServices(q: Filter): Promise<Page<Service>> {
    let query = this.db.selectFrom('services').selectAll();
    if (q.teamIds) {
      const teamIds = q.teamIds;
      query = query.where('id', 'in', (eb) =>
        eb.selectFrom('service_teams').select('service_id').where('team_id', 'in', teamIds),
      );
    }
    if (q.query) query = query.where('name_lower', 'like', sql<string>`${likePattern(q.query)} escape '\\'`);
    const rows = await query
      .orderBy('name_lower')
      .orderBy('id')
      .limit(q.limit + 1)
      .offset(q.offset)
      .execute();
    const p = page(rows, q.limit);
    return { items: await this.hydrateServices(this.db, p.items), more: p.more };
  }

  async createService(input: ServiceInput): Promise<Service> {
    const id = newId();
    const at = now();
    await this.db.transaction().execute(async (trx) => {
      if (input.escalation_policy_id) {
        await mustExist(
          trx,
          'escalation_policies',
          input.escalation_policy_id,
          'escalation policy',
          'escalation_policy_id',
        );
      }
      await uniquely(`A service named '${input.name}' already exists.`, 'name', () =>
        trx
          .insertInto('services')
          .values({
            id,
            name: input.name,
            name_lower: input.name.toLowerCase(),
            description: input.description ?? null,
            status: input.status ?? 'active',
            escalation_policy_id: input.escalation_policy_id ?? null,
            integration_key: newIntegrationKey(),
            incident_urgency: input.incident_urgency_rule?.urgency ?? null,
            created_at: at,
            updated_at: at,
          })
          .execute(),
      );
      await this.replaceServiceTeams(trx, id, input.team_ids ?? []);
    });
    return this.mustGetService(id);
  }

  async updateService(
    id: string,
    patch: Partial<ServiceInput> & { regenerate_integration_key?: boolean | undefined },
  ): Promise<Service> {
    await this.db.transaction().execute(async (trx) => {
      await mustExist(trx, 'services', id, 'service', 'service_id');
      if (patch.escalation_policy_id) {
        await mustExist(
          trx,
          'escalation_policies',
          patch.escalation_policy_id,
          'escalation policy',
          'escalation_policy_id',
        );
      }
      const set: Partial<ServicesTable> = { updated_at: now() };
      if (patch.name !== undefined) {
        set.name = patch.name;
        set.name_lower = patch.name.toLowerCase();
      }
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.status !== undefined) set.status = patch.status;
      if (patch.escalation_policy_id !== undefined) set.escalation_policy_id = patch.escalation_policy_id;
      if (patch.regenerate_integration_key) set.integration_key = newIntegrationKey();
      if (patch.incident_urgency_rule !== undefined)
        set.incident_urgency = patch.incident_urgency_rule?.urgency ?? null;
      await uniquely(`A service named '${patch.name}' already exists.`, 'name', () =>
        trx.updateTable('services').set(set).where('id', '=', id).execute(),
      );
      if (patch.team_ids) await this.replaceServiceTeams(trx, id, patch.team_ids);
    });
    return this.mustGetService(id);
  }

  async deleteService(id: string): Promise<void> {
    const result = await this.db.deleteFrom('services').where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new NotFoundError('service', id, 'service_id');
  }

  private async mustGetService(id: string): Promise<Service> {
    const service = await this.getService(id);
    if (!service) throw new NotFoundError('service', id, 'service_id');
    return service;
  }

  private async replaceServiceTeams(trx: Transaction<Database>, serviceId: string, teamIds: string[]) {
    const unique = [...new Set(teamIds)];
    await mustAllExist(trx, 'teams', unique, 'team', 'team_ids');
    await trx.deleteFrom('service_teams').where('service_id', '=', serviceId).execute();
    if (unique.length === 0) return;
    await trx
      .insertInto('service_teams')
      .values(unique.map((team_id) => ({ service_id: serviceId, team_id })))
      .execute();
  }

  private async hydrateServices(db: Db, rows: ServicesTable[]): Promise<Service[]> {
    if (rows.length === 0) return [];
    const policyIds = [
      ...new Set(rows.map((r) => r.escalation_policy_id).filter((x): x is string => x !== null)),
    ];
    const [teams, policies, inMaintenance] = await Promise.all([
      db
        .selectFrom('service_teams')
        .innerJoin('teams', 'teams.id', 'service_teams.team_id')
        .select(['service_teams.service_id', 'teams.id', 'teams.name'])
        .where(
          'service_teams.service_id',
          'in',
          rows.map((r) => r.id),
        )
        .orderBy('teams.name')
        .execute(),
      policyIds.length
        ? db.selectFrom('escalation_policies').select(['id', 'name']).where('id', 'in', policyIds).execute()
        : Promise.resolve([]),
      windowsInEffect(
        db,
        rows.map((r) => r.id),
        this.clock.now(),
      ),
    ]);
    const teamsBy = groupBy(teams, (t) => t.service_id);
    const policyName = new Map(policies.map((p) => [p.id, p.name]));
    return rows.map((r) => ({
      id: r.id,
      type: 'service',
      name: r.name,
      summary: r.name,
      ...(r.description !== null && { description: r.description }),
      status: r.status === 'active' && inMaintenance.has(r.id) ? 'maintenance' : r.status,
      ...(r.escalation_policy_id !== null && {
        escalation_policy: ref(
          r.escalation_policy_id,
          'escalation_policy_reference',
          policyName.get(r.escalation_policy_id) ?? r.escalation_policy_id,
        ),
      }),
      teams: (teamsBy.get(r.id) ?? []).map((t) => ref(t.id, 'team_reference', t.name)),
      integration_key: r.integration_key,
      ...(r.incident_urgency !== null && {
        incident_urgency_rule: {
          type: 'constant' as const,
          urgency: r.incident_urgency,
        },
      }),
      created_at: r.created_at,
      updated_at: r.updated_at,
    }));
  }
}
