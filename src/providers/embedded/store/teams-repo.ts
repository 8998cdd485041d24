/**
 * Teams and their members on the embedded store.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Page, Team, TeamInput } from '../../../core/directory.js';
import { NotFoundError } from '../../../core/errors.js';
import { newId, now } from './ids.js';
import { type Db, type Filter, groupBy, mustAllExist, mustExist, page, ref } from './repo-helpers.js';
import type { Database, TeamsTable } from './schema.js';
import { likePattern, uniquely } from './sql-errors.js';

export class TeamRepository {
  constructor(private readonly db: Kysely<Database>) {}

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
      await mustExist(trx, 'teams', id, 'team', 'team_id');
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
    await mustAllExist(trx, 'users', unique, 'user', 'member_ids');
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
}
