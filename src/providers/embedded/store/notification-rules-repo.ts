/**
 * Users' notification rules on the embedded store: assignment rules (which contact method, after
 * how many minutes, for which urgency) and on-call handoff rules. Escalation reads the assignment
 * rules when it pages someone (`pagingPlan`); the handoff sweep (handoff-notices.ts) reads the others.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../../core/clock.js';
import { NotFoundError, ValidationError } from '../../../core/errors.js';
import type { Urgency } from '../../../core/incidents.js';
import type {
  ContactMethodRef,
  HandoffNotificationRule,
  HandoffRuleInput,
  HandoffType,
  NotificationRule,
  NotificationRuleInput,
  NotificationRulesPort,
} from '../../../core/notification-rules.js';
import { newId } from './ids.js';
import type { Db } from './repo-helpers.js';
import type { ContactMethodsTable, Database, HandoffRulesTable, NotificationRulesTable } from './schema.js';

type Method = Pick<ContactMethodsTable, 'id' | 'kind' | 'address' | 'label'>;

const methodRef = (m: Method): ContactMethodRef => ({
  id: m.id,
  type: `${m.kind}_contact_method_reference`,
  summary: m.label ?? m.address,
});

function minutes(value: number, parameter: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new ValidationError(`${parameter} must be a whole number of minutes, 0 or more (got ${value}).`, {
      parameter,
    });
  }
  return value;
}

export class NotificationRuleRepository implements NotificationRulesPort {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async listRules(userId: string, urgency?: Urgency): Promise<NotificationRule[]> {
    await this.mustHaveUser(this.db, userId);
    const rows = await this.db
      .selectFrom('notification_rules')
      .selectAll()
      .where('user_id', '=', userId)
      .$if(urgency !== undefined, (q) => q.where('urgency', '=', urgency as Urgency))
      .orderBy('urgency')
      .orderBy('start_delay_minutes')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const methods = await this.methodsOf(userId);
    return rows.map((r) => this.rule(r, methods));
  }

  async createRule(userId: string, input: NotificationRuleInput): Promise<NotificationRule> {
    const row: NotificationRulesTable = {
      id: newId(),
      user_id: userId,
      contact_method_id: input.contact_method_id,
      start_delay_minutes: minutes(input.start_delay_in_minutes, 'start_delay_in_minutes'),
      urgency: input.urgency,
      created_at: this.clock.now(),
    };
    await this.db.transaction().execute(async (trx) => {
      await this.mustHaveUser(trx, userId);
      await this.mustOwnMethod(trx, userId, input.contact_method_id);
      await trx.insertInto('notification_rules').values(row).execute();
    });
    return this.rule(row, await this.methodsOf(userId));
  }

  async updateRule(
    userId: string,
    ruleId: string,
    patch: Partial<NotificationRuleInput>,
  ): Promise<NotificationRule> {
    const row = await this.db.transaction().execute(async (trx) => {
      const found = await this.mustFindRule(trx, 'notification_rules', userId, ruleId);
      const next: NotificationRulesTable = {
        ...found,
        ...(patch.contact_method_id !== undefined && { contact_method_id: patch.contact_method_id }),
        ...(patch.start_delay_in_minutes !== undefined && {
          start_delay_minutes: minutes(patch.start_delay_in_minutes, 'start_delay_in_minutes'),
        }),
        ...(patch.urgency !== undefined && { urgency: patch.urgency }),
      };
      if (patch.contact_method_id !== undefined)
        await this.mustOwnMethod(trx, userId, patch.contact_method_id);
      await trx
        .updateTable('notification_rules')
        .set({
          contact_method_id: next.contact_method_id,
          start_delay_minutes: next.start_delay_minutes,
          urgency: next.urgency,
        })
        .where('id', '=', ruleId)
        .execute();
      return next;
    });
    return this.rule(row, await this.methodsOf(userId));
  }

  async deleteRule(userId: string, ruleId: string): Promise<NotificationRule> {
    const methods = await this.methodsOf(userId);
    const row = await this.db.transaction().execute(async (trx) => {
      const found = await this.mustFindRule(trx, 'notification_rules', userId, ruleId);
      await trx.deleteFrom('notification_rules').where('id', '=', ruleId).execute();
      return found;
    });
    return this.rule(row, methods);
  }

  async listHandoffRules(userId: string): Promise<HandoffNotificationRule[]> {
    await this.mustHaveUser(this.db, userId);
    const rows = await this.db
      .selectFrom('handoff_rules')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('notify_advance_minutes')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const methods = await this.methodsOf(userId);
    return rows.map((r) => this.handoff(r, methods));
  }

  async createHandoffRule(userId: string, input: HandoffRuleInput): Promise<HandoffNotificationRule> {
    const row: HandoffRulesTable = {
      id: newId(),
      user_id: userId,
      contact_method_id: input.contact_method_id,
      notify_advance_minutes: minutes(input.notify_advance_in_minutes, 'notify_advance_in_minutes'),
      handoff_type: input.handoff_type,
      created_at: this.clock.now(),
    };
    await this.db.transaction().execute(async (trx) => {
      await this.mustHaveUser(trx, userId);
      await this.mustOwnMethod(trx, userId, input.contact_method_id);
      await trx.insertInto('handoff_rules').values(row).execute();
    });
    return this.handoff(row, await this.methodsOf(userId));
  }

  async updateHandoffRule(
    userId: string,
    ruleId: string,
    patch: Partial<HandoffRuleInput>,
  ): Promise<HandoffNotificationRule> {
    const row = await this.db.transaction().execute(async (trx) => {
      const found = await this.mustFindRule(trx, 'handoff_rules', userId, ruleId);
      const next: HandoffRulesTable = {
        ...found,
        ...(patch.contact_method_id !== undefined && { contact_method_id: patch.contact_method_id }),
        ...(patch.notify_advance_in_minutes !== undefined && {
          notify_advance_minutes: minutes(patch.notify_advance_in_minutes, 'notify_advance_in_minutes'),
        }),
        ...(patch.handoff_type !== undefined && { handoff_type: patch.handoff_type }),
      };
      if (patch.contact_method_id !== undefined)
        await this.mustOwnMethod(trx, userId, patch.contact_method_id);
      await trx
        .updateTable('handoff_rules')
        .set({
          contact_method_id: next.contact_method_id,
          notify_advance_minutes: next.notify_advance_minutes,
          handoff_type: next.handoff_type,
        })
        .where('id', '=', ruleId)
        .execute();
      return next;
    });
    return this.handoff(row, await this.methodsOf(userId));
  }

  async deleteHandoffRule(userId: string, ruleId: string): Promise<HandoffNotificationRule> {
    const methods = await this.methodsOf(userId);
    const row = await this.db.transaction().execute(async (trx) => {
      const found = await this.mustFindRule(trx, 'handoff_rules', userId, ruleId);
      await trx.deleteFrom('handoff_rules').where('id', '=', ruleId).execute();
      return found;
    });
    return this.handoff(row, methods);
  }

  private rule(r: NotificationRulesTable, methods: Map<string, Method>): NotificationRule {
    const m = methods.get(r.contact_method_id);
    return {
      id: r.id,
      type: 'assignment_notification_rule',
      start_delay_in_minutes: r.start_delay_minutes,
      contact_method: m ? methodRef(m) : { id: r.contact_method_id, type: 'contact_method_reference' },
      urgency: r.urgency as Urgency,
    };
  }

  private handoff(r: HandoffRulesTable, methods: Map<string, Method>): HandoffNotificationRule {
    const m = methods.get(r.contact_method_id);
    return {
      id: r.id,
      type: 'oncall_handoff_notification_rule',
      notify_advance_in_minutes: r.notify_advance_minutes,
      handoff_type: r.handoff_type as HandoffType,
      contact_method: m ? methodRef(m) : { id: r.contact_method_id, type: 'contact_method_reference' },
    };
  }

  private async methodsOf(userId: string): Promise<Map<string, Method>> {
    const rows = await this.db
      .selectFrom('contact_methods')
      .select(['id', 'kind', 'address', 'label'])
      .where('user_id', '=', userId)
      .execute();
    return new Map(rows.map((m) => [m.id, m]));
  }

  private async mustHaveUser(db: Db, userId: string): Promise<void> {
    const row = await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!row) throw new NotFoundError('user', userId, 'user_id');
  }

  /** The contact method must exist and be the user's own: a rule never pages someone else. */
  private async mustOwnMethod(db: Db, userId: string, methodId: string): Promise<void> {
    const method = await db
      .selectFrom('contact_methods')
      .select(['id', 'user_id'])
      .where('id', '=', methodId)
      .executeTakeFirst();
    if (!method) throw new NotFoundError('contact method', methodId, 'contact_method_id');
    if (method.user_id !== userId) {
      throw new ValidationError(
        `contact_method_id ${methodId} belongs to another user; a rule of user ${userId} must use one of their own contact methods (get_users lists them).`,
        { parameter: 'contact_method_id' },
      );
    }
  }

  private async mustFindRule<T extends 'notification_rules' | 'handoff_rules'>(
    db: Db,
    table: T,
    userId: string,
    ruleId: string,
  ): Promise<Database[T]> {
    await this.mustHaveUser(db, userId);
    const row = await (db as Kysely<Database>)
      .selectFrom(table as 'notification_rules')
      .selectAll()
      .where('id', '=', ruleId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row) {
      throw new NotFoundError(
        table === 'notification_rules' ? 'notification rule' : 'handoff notification rule',
        ruleId,
        'rule_id',
      );
    }
    return row as unknown as Database[T];
  }
}

/** What paging one user sends: each contact method and the minutes after the page it goes out. */
export interface PagingStep {
  user_id: string;
  kind: string;
  address: string;
  secret: string | null;
  delayMinutes: number;
}

/**
 * How paging these users for an incident of `urgency` goes: a user with notification rules is
 * paged by those of that urgency (none: not paged by this incident), each at its delay; a user
 * without any rule on every contact method at once.
 */
export async function pagingPlan(db: Db, userIds: readonly string[], urgency: string): Promise<PagingStep[]> {
  if (userIds.length === 0) return [];
  const [methods, rules] = await Promise.all([
    db
      .selectFrom('contact_methods')
      .select(['id', 'user_id', 'kind', 'address', 'secret'])
      .where('user_id', 'in', userIds)
      .orderBy('position')
      .execute(),
    db
      .selectFrom('notification_rules')
      .select(['user_id', 'contact_method_id', 'start_delay_minutes', 'urgency'])
      .where('user_id', 'in', userIds)
      .orderBy('start_delay_minutes')
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  ]);
  const withRules = new Set(rules.map((r) => r.user_id));
  const byId = new Map(methods.map((m) => [m.id, m]));
  const steps: PagingStep[] = [];
  for (const m of methods) {
    if (!withRules.has(m.user_id)) steps.push({ ...pick(m), delayMinutes: 0 });
  }
  for (const r of rules) {
    const m = byId.get(r.contact_method_id);
    if (r.urgency === urgency && m) steps.push({ ...pick(m), delayMinutes: r.start_delay_minutes });
  }
  return steps;
}

const pick = (m: Pick<ContactMethodsTable, 'user_id' | 'kind' | 'address' | 'secret'>) => ({
  user_id: m.user_id,
  kind: m.kind,
  address: m.address,
  secret: m.secret,
});
