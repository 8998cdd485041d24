/**
 * The directory port on the embedded store: users, teams and services (one repository each) and
 * the user context that `current_user_context` filters by. SQL lives in the repositories; callers
 * use methods named for what they mean.
 */
import type { Kysely } from 'kysely';
import { type Clock, systemClock } from '../../../core/clock.js';
import type { DirectoryPort, UserContext } from '../../../core/directory.js';
import { NotFoundError } from '../../../core/errors.js';
import { policiesPaging } from './repo-helpers.js';
import type { Database } from './schema.js';
import { ServiceRepository } from './services-repo.js';
import { TeamRepository } from './teams-repo.js';
import { UserRepository } from './users-repo.js';

export class DirectoryRepository implements DirectoryPort {
  private readonly users: UserRepository;
  private readonly teams: TeamRepository;
  private readonly services: ServiceRepository;

  /** `clock` tells services which maintenance windows are in effect. */
  constructor(
    private readonly db: Kysely<Database>,
    clock: Clock = systemClock,
  ) {
    this.users = new UserRepository(db);
    this.teams = new TeamRepository(db);
    this.services = new ServiceRepository(db, clock);
  }

  getUser: DirectoryPort['getUser'] = (id) => this.users.getUser(id);
  findUserByEmail: DirectoryPort['findUserByEmail'] = (email) => this.users.findUserByEmail(email);
  findUserByContact: NonNullable<DirectoryPort['findUserByContact']> = (kind, address) =>
    this.users.findUserByContact(kind, address);
  listUsers: DirectoryPort['listUsers'] = (q) => this.users.listUsers(q);
  createUser: DirectoryPort['createUser'] = (input) => this.users.createUser(input);
  updateUser: DirectoryPort['updateUser'] = (id, patch) => this.users.updateUser(id, patch);
  deleteUser: DirectoryPort['deleteUser'] = (id) => this.users.deleteUser(id);

  getTeam: DirectoryPort['getTeam'] = (id) => this.teams.getTeam(id);
  listTeams: DirectoryPort['listTeams'] = (q) => this.teams.listTeams(q);
  createTeam: DirectoryPort['createTeam'] = (input) => this.teams.createTeam(input);
  updateTeam: DirectoryPort['updateTeam'] = (id, patch) => this.teams.updateTeam(id, patch);
  deleteTeam: DirectoryPort['deleteTeam'] = (id) => this.teams.deleteTeam(id);

  getService: DirectoryPort['getService'] = (id) => this.services.getService(id);
  findServiceByIntegrationKey: DirectoryPort['findServiceByIntegrationKey'] = (key) =>
    this.services.findServiceByIntegrationKey(key);
  listServices: DirectoryPort['listServices'] = (q) => this.services.listServices(q);
  createService: DirectoryPort['createService'] = (input) => this.services.createService(input);
  updateService: DirectoryPort['updateService'] = (id, patch) => this.services.updateService(id, patch);
  deleteService: DirectoryPort['deleteService'] = (id) => this.services.deleteService(id);

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
      policiesPaging(this.db, [userId]).distinct().orderBy('escalation_rules.policy_id').execute(),
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
}
