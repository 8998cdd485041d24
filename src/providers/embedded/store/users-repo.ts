/**
 * Users and their contact methods on the embedded store; a user lists references to their
 * notification rules, as PagerDuty's users do.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { CHANNEL_KINDS } from '../../../core/channels.js';
import type {
  ContactMethod,
  ContactMethodInput,
  ContactMethodKind,
  Page,
  User,
  UserInput,
} from '../../../core/directory.js';
import { ConflictError, NotFoundError } from '../../../core/errors.js';
import { checkChannelTarget } from './channel-targets.js';
import { CompiledQueries } from './compiled-queries.js';
import { newId, newSigningSecret, now } from './ids.js';
import { ruleReferences } from './notification-rules-repo.js';
import { type Filter, groupBy, mustExist, page, ref } from './repo-helpers.js';
import type { Database, UsersTable } from './schema.js';
import { likePattern, uniquely } from './sql-errors.js';

export class UserRepository {
  private readonly queries: CompiledQueries<Database>;

  constructor(private readonly db: Kysely<Database>) {
    this.queries = new CompiledQueries(db);
  }

  async getUser(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? (await this.hydrateUsers([row]))[0] : undefined;
  }

  async findUserByEmail(email: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('email_lower', '=', email.toLowerCase())
      .executeTakeFirst();
    return row ? (await this.hydrateUsers([row]))[0] : undefined;
  }

  async findUserByContact(kind: ContactMethodKind, address: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('contact_methods')
          .select('user_id')
          .where('kind', '=', kind)
          .where('address', '=', address),
      )
      .orderBy('created_at')
      .limit(1)
      .executeTakeFirst();
    return row ? (await this.hydrateUsers([row]))[0] : undefined;
  }

  async listUsers(q: Filter): Promise<Page<User>> {
    const params = {
      teamIds: q.teamIds,
      pattern: q.query ? likePattern(q.query) : undefined,
      limit: q.limit + 1,
      offset: q.offset,
    };
    const rows = await this.queries.rows('listUsers', params, (db, p) => {
      let query = db.selectFrom('users').selectAll();
      const { teamIds, pattern } = p;
      if (teamIds) {
        query = query.where('id', 'in', (eb) =>
          eb.selectFrom('team_members').select('user_id').where('team_id', 'in', teamIds),
        );
      }
      if (pattern !== undefined) {
        query = query.where((eb) =>
          eb.or([
            eb(sql`lower(name)`, 'like', sql`${pattern} escape '\\'`),
            eb('email_lower', 'like', sql<string>`${pattern} escape '\\'`),
          ]),
        );
      }
      return query.orderBy(sql`lower(name)`).orderBy('id').limit(p.limit).offset(p.offset);
    });
    const p = page(rows, q.limit);
    return { items: await this.hydrateUsers(p.items), more: p.more };
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
      await mustExist(trx, 'users', id, 'user', 'user_id');
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
    await this.db.transaction().execute(async (trx) => {
      const schedules = await trx
        .selectFrom('schedule_layer_users')
        .innerJoin('schedule_layers', 'schedule_layers.id', 'schedule_layer_users.layer_id')
        .innerJoin('schedules', 'schedules.id', 'schedule_layers.schedule_id')
        .select(['schedules.id', 'schedules.name'])
        .distinct()
        .where('schedule_layer_users.user_id', '=', id)
        .execute();
      if (schedules.length) {
        throw new ConflictError(
          `User ${id} is in the rotations of ${schedules.map((s) => `${s.name} (${s.id})`).join(', ')}; take them out of those schedules first.`,
          { parameter: 'user_id', schedule_ids: schedules.map((s) => s.id) },
        );
      }
      const result = await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      if (result.numDeletedRows === 0n) throw new NotFoundError('user', id, 'user_id');
    });
  }

  /** The user as a write answers it: with the signing secrets of webhook methods. */
  private async mustGetUser(id: string): Promise<User> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    const user = row && (await this.hydrateUsers([row], true))[0];
    if (!user) throw new NotFoundError('user', id, 'user_id');
    return user;
  }

  private async replaceContactMethods(
    trx: Transaction<Database>,
    userId: string,
    methods: ContactMethodInput[],
  ) {
    methods.forEach((m, i) => {
      checkChannelTarget(m.type, m.address, `contact_methods[${i}].address`);
    });
    // A method given again (same kind and address) keeps its id and secret, so the notification
    // rules that name it stay; the others go, and their rules with them.
    const existing = await trx
      .selectFrom('contact_methods')
      .select(['id', 'kind', 'address', 'secret'])
      .where('user_id', '=', userId)
      .execute();
    const rows = methods.map((m, position) => {
      const i = existing.findIndex((e) => e.kind === m.type && e.address === m.address);
      const kept = i >= 0 ? existing.splice(i, 1)[0] : undefined;
      return {
        id: kept?.id ?? newId(),
        user_id: userId,
        position,
        kind: m.type,
        address: m.address,
        label: m.label ?? null,
        // Signed kinds get a signing secret; ntfy and gotify keep the access token given.
        secret: CHANNEL_KINDS[m.type].signed
          ? (kept?.secret ?? newSigningSecret())
          : (m.token ?? kept?.secret ?? null),
        kept: kept !== undefined,
      };
    });
    if (existing.length > 0) {
      await trx
        .deleteFrom('contact_methods')
        .where(
          'id',
          'in',
          existing.map((e) => e.id),
        )
        .execute();
    }
    for (const { kept, id, position, label, secret } of rows) {
      if (kept)
        await trx
          .updateTable('contact_methods')
          .set({ position, label, secret })
          .where('id', '=', id)
          .execute();
    }
    const added = rows.filter((r) => !r.kept).map(({ kept: _, ...r }) => r);
    if (added.length > 0) await trx.insertInto('contact_methods').values(added).execute();
  }

  private async hydrateUsers(rows: UsersTable[], withSecrets = false): Promise<User[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [methods, teams, rules] = await Promise.all([
      this.queries.rows('userContactMethods', { ids }, (d, p) =>
        d.selectFrom('contact_methods').selectAll().where('user_id', 'in', p.ids).orderBy('position'),
      ),
      this.queries.rows('userTeams', { ids }, (d, p) =>
        d
          .selectFrom('team_members')
          .innerJoin('teams', 'teams.id', 'team_members.team_id')
          .select(['team_members.user_id', 'teams.id', 'teams.name'])
          .where('team_members.user_id', 'in', p.ids)
          .orderBy('teams.name'),
      ),
      ruleReferences(this.db, ids),
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
          ...(withSecrets &&
            m.secret !== null &&
            CHANNEL_KINDS[m.kind]?.signed && { signing_secret: m.secret }),
        }),
      ),
      notification_rules: rules.get(r.id) ?? [],
      created_at: r.created_at,
      updated_at: r.updated_at,
    }));
  }
}
