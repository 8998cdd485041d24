/**
 * Escalation policies, schedules and on-call shifts on PagerDuty. Reads map to PagerDuty's
 * endpoints; schedule overrides are written there too. Creating or changing policies and
 * schedules is left to PagerDuty: those answer NOT_SUPPORTED.
 */
import type { Page } from '../../core/directory.js';
import { NotSupportedError, ValidationError } from '../../core/errors.js';
import type { EscalationPolicy, EscalationPolicyFilter, EscalationPort } from '../../core/escalation.js';
import type {
  Oncall,
  OncallFilter,
  OverrideInput,
  Schedule,
  ScheduleFilter,
  ScheduleOverride,
  SchedulesPort,
  Window,
} from '../../core/schedules.js';
import { pageOf } from './directory.js';
import { escalationPolicy, many, oncall, one, override, type Raw, schedule, user } from './parse.js';
import { enc, type Session } from './session.js';

const iso = (ms: number) => new Date(ms).toISOString();
const unsupported = (what: string) => Promise.reject(new NotSupportedError(what, 'pagerduty'));

export class PagerDutyEscalation implements EscalationPort {
  constructor(private readonly s: Session) {}

  async getPolicy(id: string): Promise<EscalationPolicy | undefined> {
    const body = await this.s.client.find<{ escalation_policy: Raw }>(`/escalation_policies/${enc(id)}`);
    return body && escalationPolicy(one(body, 'escalation_policy'));
  }

  async listPolicies(f: EscalationPolicyFilter): Promise<Page<EscalationPolicy>> {
    const page = await this.s.client.list<Raw>(
      '/escalation_policies',
      'escalation_policies',
      { query: f.query, user_ids: f.userIds, team_ids: f.teamIds },
      f.limit,
      f.offset,
    );
    return pageOf(page, escalationPolicy);
  }

  createPolicy = () => unsupported('create_escalation_policy (manage policies in PagerDuty)');
  updatePolicy = () => unsupported('update_escalation_policy (manage policies in PagerDuty)');
  deletePolicy = () => unsupported('delete_escalation_policy (manage policies in PagerDuty)');
}

export class PagerDutySchedules implements SchedulesPort {
  constructor(private readonly s: Session) {}

  async getSchedule(id: string, window?: Window): Promise<Schedule | undefined> {
    const range = window && { since: iso(window.since), until: iso(window.until) };
    const body = await this.s.client.find<{ schedule: Raw }>(`/schedules/${enc(id)}`, range);
    if (!body) return undefined;
    if (!range) return schedule(one(body, 'schedule'));
    const overrides = await this.s.client.get<{ overrides: Raw[] }>(`/schedules/${enc(id)}/overrides`, range);
    return schedule(one(body, 'schedule'), many(overrides, 'overrides'));
  }

  async listSchedules(f: ScheduleFilter): Promise<Page<Schedule>> {
    const page = await this.s.client.list<Raw>(
      '/schedules',
      'schedules',
      { query: f.query, team_ids: f.teamIds },
      f.limit,
      f.offset,
    );
    const result = pageOf(page, (r) => schedule(r));
    if (f.userIds?.length) {
      const wanted = new Set(f.userIds);
      result.items = result.items.filter((sc) => sc.users.some((u) => wanted.has(u.id)));
    }
    return result;
  }

  async createOverride(scheduleId: string, input: OverrideInput): Promise<ScheduleOverride> {
    const body = await this.s.client.send<{ status?: number; errors?: string[]; override?: Raw }[]>(
      'POST',
      `/schedules/${enc(scheduleId)}/overrides`,
      {
        overrides: [
          { start: input.start, end: input.end, user: { id: input.user_id, type: 'user_reference' } },
        ],
      },
    );
    // PagerDuty answers one result per requested override, each with its own status.
    const result = Array.isArray(body) ? body[0] : undefined;
    const made = result?.override;
    if (!made?.id || (result?.status ?? 201) >= 400) {
      throw new ValidationError(
        `PagerDuty did not create the override: ${result?.errors?.join('; ') || 'no reason given'}.`,
        { provider: 'pagerduty', parameter: 'start' },
      );
    }
    return override(made);
  }

  async deleteOverride(scheduleId: string, overrideId: string): Promise<void> {
    await this.s.client.send(
      'DELETE',
      `/schedules/${enc(scheduleId)}/overrides/${enc(overrideId)}`,
      undefined,
    );
  }

  async usersOnCall(scheduleId: string, window: Window): Promise<string[]> {
    const body = await this.s.client.get<{ users: Raw[] }>(`/schedules/${enc(scheduleId)}/users`, {
      since: iso(window.since),
      until: iso(window.until),
    });
    // list_users_oncall reads each user next: they are known already.
    return many(body, 'users').map((raw) => {
      const u = user(raw);
      this.s.users.set(u.id, u);
      return u.id;
    });
  }

  async listOncalls(f: OncallFilter): Promise<Page<Oncall>> {
    const page = await this.s.client.list<Raw>(
      '/oncalls',
      'oncalls',
      {
        schedule_ids: f.scheduleIds,
        user_ids: f.userIds,
        escalation_policy_ids: f.policyIds,
        since: iso(f.since),
        until: iso(f.until),
        ...(f.earliest && { earliest: true }),
      },
      f.limit,
      f.offset,
    );
    return pageOf(page, oncall);
  }

  createSchedule = () => unsupported('create_schedule (manage schedules in PagerDuty)');
  updateSchedule = () => unsupported('update_schedule (manage schedules in PagerDuty)');
  deleteSchedule = () => unsupported('delete_schedule (manage schedules in PagerDuty)');
}
