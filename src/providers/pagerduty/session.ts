/**
 * What the PagerDuty ports of one tool call share: the client bound to that call's credential,
 * the users already fetched in the call, and — across calls, per credential, for a short time —
 * who the credential belongs to and that user's context (teams, services, escalation policies),
 * which the seed recomputed with several unbounded listings on every call.
 */
import { createHash } from 'node:crypto';
import type { User, UserContext } from '../../core/directory.js';
import { UnauthorizedError, VigilError } from '../../core/errors.js';
import type { PagerDutyClient } from './client.js';
import { many, one, type Raw, user } from './parse.js';

const CONTEXT_TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 1000;

/** Entries per credential, each kept for a few minutes; the oldest go first past the bound. */
export class ContextCache {
  private readonly entries = new Map<string, { value: Promise<unknown>; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > this.now()) return hit.value as Promise<T>;
    const value = load();
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + CONTEXT_TTL_MS });
    // A failure is not remembered: the next call asks again.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    while (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return value;
  }
}

export class Session {
  /** Users fetched during this call, by id (list_users_oncall reads each user it lists). */
  readonly users = new Map<string, User>();
  constructor(
    readonly client: PagerDutyClient,
    private readonly cache: ContextCache,
    private readonly credential: () => Promise<string>,
    private readonly userEmail: string | undefined,
  ) {}

  private key: Promise<string> | undefined;

  /** Cache entries are per credential, named by a hash of it (the token itself is not kept as a key). */
  private async cached<T>(what: string, load: () => Promise<T>): Promise<T> {
    this.key ??= this.credential().then((c) => createHash('sha256').update(c).digest('hex').slice(0, 32));
    return this.cache.get(`${await this.key}:${what}`, load);
  }

  /**
   * The user the credential belongs to (`/users/me`). An account-level key has none; then the
   * user with PAGERDUTY_USER_EMAIL stands in, as the seed's `From` fallback does.
   */
  me(): Promise<User> {
    return this.cached('me', async () => {
      try {
        const body = await this.client.get<{ user: Raw }>('/users/me');
        return user(one(body, 'user'));
      } catch (err) {
        const noUser =
          err instanceof VigilError && ['VALIDATION_ERROR', 'FORBIDDEN', 'NOT_FOUND'].includes(err.code);
        if (!noUser) throw err;
        if (this.userEmail) {
          const byEmail = await this.findByEmail(this.userEmail);
          if (byEmail) return byEmail;
        }
        throw new UnauthorizedError(
          `PagerDuty does not say whose this credential is (an account-level API key has no user${this.userEmail ? `, and no user has the email ${this.userEmail}` : ''}). Use a user API token, set PAGERDUTY_USER_EMAIL, or pass current_user_context=false.`,
        );
      }
    });
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const body = await this.client.get<{ users: Raw[] }>('/users', { query: email, limit: 25 });
    const found = many(body, 'users')
      .map(user)
      .find((u) => u.email.toLowerCase() === email.toLowerCase());
    if (found) this.users.set(found.id, found);
    return found;
  }

  /** The address PagerDuty's `From` header needs on writes. */
  async from(): Promise<string> {
    if (this.userEmail) return this.userEmail;
    return (await this.me()).email;
  }

  /** The seed's `build_user_context`, kept per credential for five minutes. */
  userContext(userId: string): Promise<UserContext> {
    return this.cached(`context:${userId}`, async () => {
      const me = await this.me();
      const u = me.id === userId ? me : user(one(await this.client.get(`/users/${enc(userId)}`), 'user'));
      const team_ids = u.teams.map((t) => t.id);
      const [services, policies] = await Promise.all([
        team_ids.length
          ? this.client.all<Raw>('/services', 'services', { team_ids })
          : Promise.resolve([] as Raw[]),
        this.client.all<Raw>('/escalation_policies', 'escalation_policies', { user_ids: [u.id] }),
      ]);
      return {
        user_id: u.id,
        name: u.name,
        email: u.email,
        team_ids,
        service_ids: services.map((s) => String(s.id)),
        escalation_policy_ids: policies.map((p) => String(p.id)),
      };
    });
  }
}

export const enc = encodeURIComponent;
