/**
 * The directory on the embedded store: users with contact methods, teams with members, services
 * with teams, an escalation policy and an integration key. SQL lives here; callers use methods
 * named for what they mean.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type {
  ContactMethod,
  ContactMethodInput,
  DirectoryPort,
  ListQuery,
  Page,
  Reference,
  Service,
  ServiceInput,
  Team,
  TeamInput,
  User,
  UserContext,
  UserInput,
} from '../../../core/directory.js';
import { NotFoundError } from '../../../core/errors.js';
import { newId, newIntegrationKey, now } from './ids.js';
import type { Database, ServicesTable, TeamsTable, UsersTable } from './schema.js';
import { likePattern, uniquely } from './sql-errors.js';

type Db = Kysely<Database> | Transaction<Database>;
type Filter = ListQuery & { teamIds?: string[] | undefined };

const ref = (id: string, type: string, summary: string): Reference => ({ id, type, summary });

function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

function page<T>(rows: T[], limit: number): Page<T> {
  return { items: rows.slice(0, limit), more: rows.length > limit };
}

export class DirectoryRepository implements DirectoryPort {
  constructor(private readonly db: Kysely<Database>) {}

  // ---- users

  async getUser(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? (await this.hydrateUsers(this.db, [row]))[0] : undefined;
  }

  async findUserByEmail(email: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('email_lower', '=', email.toLowerCase())
      .executeTakeFirst();
    return row ? (await this.hydrateUsers(this.db, [row]))[0] : undefined;
  }

  async listUsers(q: Filter): Promise<Page<User>> {
    let query = this.db.selectFrom('users').selectAll();
    if (q.teamIds) {
      const teamIds = q.teamIds;
      query = query.where('id', 'in', (eb) =>
        eb.selectFrom('team_members').select('user_id').where('team_id', 'in', teamIds),
      );
    }
    if (q.query) {
      const pattern = likePattern(q.query);
      query = query.where((eb) =>
        eb.or([
          eb(sql`lower(name)`, 'like', sql`${pattern} escape '\\'`),
          eb('email_lower', 'like', sql<string>`${pattern} escape '\\'`),
        ]),
      );
    }
    const rows = await query
      .orderBy(sql`lower(name)`)
      .orderBy('id')
      .limit(q.limit + 1)
      .offset(q.offset)
      .execute();
    const p = page(rows, q.limit);
    return { items: await this.hydrateUsers(this.db, p.items), more: p.more };
  }

  async createUser(input: UserInput): Promise<User> {
    const id = newId();
    const at = now();
    await this.db.transaction().execute(async (trx) => {
      await uniquely(`A user with email '${input.email}' already exists.`, 'email', () =>
        trx
          .insertInto('users')
          .values({
            id,
            name: input.name,
            email: input.email,
            email_lower: input.email.toLowerCase(),
            time_zone: input.time_zone ?? 'UTC',
            description: input.description ?? null,
            role: input.role ?? 'user',
            created_at: at,
            updated_at: at,
          })
          .execute(),
      );
      await this.replaceContactMethods(trx, id, input.contact_methods ?? []);
    });
    return this.mustGetUser(id);
  }

  async updateUser(id: string, patch: Partial<UserInput>): Promise<User> {
    await this.db.transaction().execute(async (trx) => {
      await this.mustExist(trx, 'users', id, 'user', 'user_id');
      const set: Partial<UsersTable> = { updated_at: now() };
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.email !== undefined) {
        set.email = patch.email;
        set.email_lower = patch.email.toLowerCase();
      }
      if (patch.time_zone !== undefined) set.time_zone = patch.time_zone;
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.role !== undefined) set.role = patch.role;
      await uniquely(`A user with email '${patch.email}' already exists.`, 'email', () =>
        trx.updateTable('users').set(set).where('id', '=', id).execute(),
      );
      if (patch.contact_methods) await this.replaceContactMethods(trx, id, patch.contact_methods);
    });
    return this.mustGetUser(id);
  }

  async deleteUser(id: string): Promise<void> {
    const result = await this.db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new NotFoundError('user', id, 'user_id');
  }

  private async mustGetUser(id: string): Promise<User> {
    const user = await this.getUser(id);
    if (!user) throw new NotFoundError('user', id, 'user_id');
    return user;
  }

  private async replaceContactMethods(
    trx: Transaction<Database>,
    userId: string,
    methods: ContactMethodInput[],
  ) {
    await trx.deleteFrom('contact_methods').where('user_id', '=', userId).execute();
    if (methods.length === 0) return;
    await trx
      .insertInto('contact_methods')
      .values(
        methods.map((m, position) => ({
          id: newId(),
          user_id: userId,
          position,
          kind: m.type,
          address: m.address,
          label: m.label ?? null,
        })),
      )
      .execute();
  }

  private async hydrateUsers(db: Db, rows: UsersTable[]): Promise<User[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [methods, teams] = await Promise.all([
      db.selectFrom('contact_methods').selectAll().where('user_id', 'in', ids).orderBy('position').execute(),
      db
        .selectFrom('team_members')
        .innerJoin('teams', 'teams.id', 'team_members.team_id')
        .select(['team_members.user_id', 'teams.id', 'teams.name'])
        .where('team_members.user_id', 'in', ids)
        .orderBy('teams.name')
        .execute(),
    ]);
    const methodsBy = groupBy(methods, (m) => m.user_id);
    const teamsBy = groupBy(teams, (t) => t.user_id);
    return rows.map((r) => ({
      id: r.id,
      type: 'user',
      name: r.name,
      email: r.email,
      time_zone: r.time_zone,
      ...(r.description !== null && { description: r.description }),
      role: r.role,
      teams: (teamsBy.get(r.id) ?? []).map((t) => ref(t.id, 'team_reference', t.name)),
      contact_methods: (methodsBy.get(r.id) ?? []).map(
        (m): ContactMethod => ({
          id: m.id,
          type: `${m.kind}_contact_method` as ContactMethod['type'],
          summary: m.label ?? m.address,
          address: m.address,
          ...(m.label !== null && { label: m.label }),
        }),
      ),
      created_at: r.created_at,
      updated_at: r.updated_at,
    }));
  }

  // ---- teams

  async getTeam(id: string): Promise<Team | undefined> {
    const row = await this.db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? (await this.hydrateTeams(this.db, [row]))[0] : undefined;
  }

  async listTeams(q: Filter): Promise<Page<Team>> {
    let query = this.db.selectFrom('teams').selectAll();
    if (q.teamIds) query = query.where('id', 'in', q.teamIds);
    if (q.query) query = query.where('name_lower', 'like', sql<string>`${likePattern(q.query)} escape '\\'`);
    const rows = await query
      .orderBy('name_lower')
      .orderBy('id')
      .limit(q.limit + 1)
      .offset(q.offset)
      .execute();
    const p = page(rows, q.limit);
    return { items: await this.hydrateTeams(this.db, p.items), more: p.more };
  }

  async createTeam(input: TeamInput): Promise<Team> {
    const id = newId();
    const at = now();
    await this.db.transaction().execute(async (trx) => {
      await uniquely(`A team named '${input.name}' already exists.`, 'name', () =>
        trx
          .insertInto('teams')
          .values({
            id,
            name: input.name,
            name_lower: input.name.toLowerCase(),
            description: input.description ?? null,
            created_at: at,
            updated_at: at,
          })
          .execute(),
      );
      await this.replaceMembers(trx, id, input.member_ids ?? []);
    });
    return this.mustGetTeam(id);
  }

  async updateTeam(id: string, patch: Partial<TeamInput>): Promise<Team> {
    await this.db.transaction().execute(async (trx) => {
      await this.mustExist(trx, 'teams', id, 'team', 'team_id');
      const set: Partial<TeamsTable> = { updated_at: now() };
      if (patch.name !== undefined) {
        set.name = patch.name;
        set.name_lower = patch.name.toLowerCase();
      }
      if (patch.description !== undefined) set.description = patch.description;
      await uniquely(`A team named '${patch.name}' already exists.`, 'name', () =>
        trx.updateTable('teams').set(set).where('id', '=', id).execute(),
      );
      if (patch.member_ids) await this.replaceMembers(trx, id, patch.member_ids);
    });
    return this.mustGetTeam(id);
  }

  async deleteTeam(id: string): Promise<void> {
    const result = await this.db.deleteFrom('teams').where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new NotFoundError('team', id, 'team_id');
  }

  private async mustGetTeam(id: string): Promise<Team> {
    const team = await this.getTeam(id);
    if (!team) throw new NotFoundError('team', id, 'team_id');
    return team;
  }

  private async replaceMembers(trx: Transaction<Database>, teamId: string, userIds: string[]) {
    const unique = [...new Set(userIds)];
    await this.mustAllExist(trx, 'users', unique, 'user', 'member_ids');
    await trx.deleteFrom('team_members').where('team_id', '=', teamId).execute();
    if (unique.length === 0) return;
    await trx
      .insertInto('team_members')
      .values(unique.map((user_id) => ({ team_id: teamId, user_id })))
      .execute();
  }

  private async hydrateTeams(db: Db, rows: TeamsTable[]): Promise<Team[]> {
    if (rows.length === 0) return [];
    const members = await db
      .selectFrom('team_members')
      .innerJoin('users', 'users.id', 'team_members.user_id')
      .select(['team_members.team_id', 'users.id', 'users.name'])
      .where(
        'team_members.team_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('users.name')
      .execute();
    const by = groupBy(members, (m) => m.team_id);
    return rows.map((r) => ({
      id: r.id,
      type: 'team',
      name: r.name,
      summary: r.name,
      ...(r.description !== null && { description: r.description }),
      members: (by.get(r.id) ?? []).map((m) => ref(m.id, 'user_reference', m.name)),
      created_at: r.created_at,
      updated_at: r.updated_at,
    }));
  }

  // ---- services

  async getService(id: string): Promise<Service | undefined> {
    const row = await this.db.selectFrom('services').selectAll().where('id', '=', id).executeTakeFirst();
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
        await this.mustExist(
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
      await this.mustExist(trx, 'services', id, 'service', 'service_id');
      if (patch.escalation_policy_id) {
        await this.mustExist(
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
    await this.mustAllExist(trx, 'teams', unique, 'team', 'team_ids');
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
    const [teams, policies] = await Promise.all([
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
    ]);
    const teamsBy = groupBy(teams, (t) => t.service_id);
    const policyName = new Map(policies.map((p) => [p.id, p.name]));
    return rows.map((r) => ({
      id: r.id,
      type: 'service',
      name: r.name,
      summary: r.name,
      ...(r.description !== null && { description: r.description }),
      status: r.status as Service['status'],
      ...(r.escalation_policy_id !== null && {
        escalation_policy: ref(
          r.escalation_policy_id,
          'escalation_policy_reference',
          policyName.get(r.escalation_policy_id) ?? r.escalation_policy_id,
        ),
      }),
      teams: (teamsBy.get(r.id) ?? []).map((t) => ref(t.id, 'team_reference', t.name)),
      integration_key: r.integration_key,
      created_at: r.created_at,
      updated_at: r.updated_at,
    }));
  }

  // ---- context

  async userContext(userId: string): Promise<UserContext> {
    const user = await this.db
      .selectFrom('users')
      .select(['id', 'name', 'email'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user) throw new NotFoundError('user', userId);
    const teams = await this.db
      .selectFrom('team_members')
      .select('team_id')
      .where('user_id', '=', userId)
      .orderBy('team_id')
      .execute();
    const teamIds = teams.map((t) => t.team_id);
    const [services, policies] = await Promise.all([
      teamIds.length
        ? this.db
            .selectFrom('service_teams')
            .select('service_id')
            .distinct()
            .where('team_id', 'in', teamIds)
            .orderBy('service_id')
            .execute()
        : Promise.resolve([]),
      this.db
        .selectFrom('escalation_targets')
        .innerJoin('escalation_rules', 'escalation_rules.id', 'escalation_targets.rule_id')
        .select('escalation_rules.policy_id')
        .distinct()
        .where('escalation_targets.target_type', '=', 'user_reference')
        .where('escalation_targets.target_id', '=', userId)
        .orderBy('escalation_rules.policy_id')
        .execute(),
    ]);
    return {
      user_id: user.id,
      name: user.name,
      email: user.email,
      team_ids: teamIds,
      service_ids: services.map((s) => s.service_id),
      escalation_policy_ids: policies.map((p) => p.policy_id),
    };
  }

  // ---- helpers

  private async mustExist(
    db: Db,
    table: 'users' | 'teams' | 'services' | 'escalation_policies',
    id: string,
    what: string,
    parameter: string,
  ): Promise<void> {
    const row = await db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(what, id, parameter);
  }

  private async mustAllExist(
    db: Db,
    table: 'users' | 'teams',
    ids: string[],
    what: string,
    parameter: string,
  ) {
    if (ids.length === 0) return;
    const found = new Set(
      (await db.selectFrom(table).select('id').where('id', 'in', ids).execute()).map((r) => r.id),
    );
    const missing = ids.find((id) => !found.has(id));
    if (missing) throw new NotFoundError(what, missing, parameter);
  }
}
