/**
 * The directory port on PagerDuty: users, teams and services read from the account. Writes to
 * the directory are not part of this provider: they answer NOT_SUPPORTED.
 */
import type {
  DirectoryPort,
  ListQuery,
  Page,
  Service,
  Team,
  User,
  UserContext,
} from '../../core/directory.js';
import { NotSupportedError } from '../../core/errors.js';
import type { ListPage } from './client.js';
import { one, type Raw, service, team, user } from './parse.js';
import { enc, type Session } from './session.js';

/** A page of PagerDuty's listing, saying so when its 10,000 cap stops it. */
export function pageOf<R, T>(page: ListPage<R>, map: (r: R) => T): Page<T> {
  return {
    items: page.items.map(map),
    more: page.more,
    ...(page.capped && {
      notice:
        'PagerDuty lists stop at 10,000 results, and more match. Narrow the query (a shorter since/until window, or more filters) to see the rest.',
    }),
  };
}

const unsupported = (what: string) => Promise.reject(new NotSupportedError(what, 'pagerduty'));

export class PagerDutyDirectory implements DirectoryPort {
  constructor(private readonly s: Session) {}

  /** The user the credential belongs to. */
  me(): Promise<User> {
    return this.s.me();
  }

  async getUser(id: string): Promise<User | undefined> {
    const known = this.s.users.get(id);
    if (known) return known;
    const body = await this.s.client.find<{ user: Raw }>(`/users/${enc(id)}`, {
      include: ['contact_methods'],
    });
    return body && user(one(body, 'user'));
  }

  findUserByEmail(email: string): Promise<User | undefined> {
    return this.s.findByEmail(email);
  }

  async listUsers(q: ListQuery & { teamIds?: string[] }): Promise<Page<User>> {
    const page = await this.s.client.list<Raw>(
      '/users',
      'users',
      { query: q.query, team_ids: q.teamIds, include: ['contact_methods'] },
      q.limit,
      q.offset,
    );
    return pageOf(page, user);
  }

  async getTeam(id: string): Promise<Team | undefined> {
    const body = await this.s.client.find<{ team: Raw }>(`/teams/${enc(id)}`);
    if (!body) return undefined;
    const members = await this.s.client.all<Raw>(`/teams/${enc(id)}/members`, 'members', {});
    return team(one(body, 'team'), members);
  }

  async listTeams(q: ListQuery & { teamIds?: string[] }): Promise<Page<Team>> {
    const page = await this.s.client.list<Raw>('/teams', 'teams', { query: q.query }, q.limit, q.offset);
    const result = pageOf(page, (t) => team(t));
    if (q.teamIds) result.items = result.items.filter((t) => q.teamIds?.includes(t.id));
    return result;
  }

  async getService(id: string): Promise<Service | undefined> {
    const body = await this.s.client.find<{ service: Raw }>(`/services/${enc(id)}`, {
      include: ['escalation_policies', 'teams'],
    });
    return body && service(one(body, 'service'));
  }

  findServiceByIntegrationKey(): Promise<Service | undefined> {
    return unsupported('finding a service by its integration key');
  }

  async listServices(q: ListQuery & { teamIds?: string[] }): Promise<Page<Service>> {
    const page = await this.s.client.list<Raw>(
      '/services',
      'services',
      { query: q.query, team_ids: q.teamIds },
      q.limit,
      q.offset,
    );
    return pageOf(page, service);
  }

  userContext(userId: string): Promise<UserContext> {
    return this.s.userContext(userId);
  }

  createUser = () => unsupported('create_user (manage users in PagerDuty)');
  updateUser = () => unsupported('update_user (manage users in PagerDuty)');
  deleteUser = () => unsupported('delete_user (manage users in PagerDuty)');
  createTeam = () => unsupported('create_team (manage teams in PagerDuty)');
  updateTeam = () => unsupported('update_team (manage teams in PagerDuty)');
  deleteTeam = () => unsupported('delete_team (manage teams in PagerDuty)');
  createService = () => unsupported('create_service (manage services in PagerDuty)');
  updateService = () => unsupported('update_service (manage services in PagerDuty)');
  deleteService = () => unsupported('delete_service (manage services in PagerDuty)');
}
