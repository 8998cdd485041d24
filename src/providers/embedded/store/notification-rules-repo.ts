/**
 * Users' notification rules on the embedded store: assignment rules (which contact method, after
 * how many minutes, for which urgency) and on-call handoff rules. Both kinds are kept and written
 * alike; a KindSpec says what differs (table, fields, shape). Escalation reads the assignment rules
 * when it pages someone (`pagingPlan`); the handoff sweep (handoff-notices.ts) reads the others.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../../core/clock.js';
import { NotFoundError, ValidationError } from '../../../core/errors.js';
import type { Urgency } from '../../../core/incidents.js';
import type {
  ContactMethodRef,
  HandoffNotificationRule,
  HandoffRuleInput,
  NotificationRule,
  NotificationRuleInput,
  NotificationRulesPort,
  RuleInputOf,
  RuleKind,
  RuleOf,
} from '../../../core/notification-rules.js';
import { newId } from './ids.js';
import type { Db } from './repo-helpers.js';
import type { ContactMethodsTable, Database, HandoffRulesTable, NotificationRulesTable } from './schema.js';

type Method = Pick<ContactMethodsTable, 'id' | 'kind' | 'address' | 'label'>;

/** The columns both tables of rules have. */
type RuleRow = Pick<NotificationRulesTable, 'id' | 'user_id' | 'contact_method_id' | 'created_at'>;
type RulesTable = 'notification_rules' | 'handoff_rules';
/** Either rules table seen through its common columns, so one query serves both kinds. */
type RulesDb = Kysely<Record<RulesTable, RuleRow>>;

/** What differs between assignment and handoff rules; everything else is written once below. */
interface KindSpec<Row extends RuleRow, Input extends { contact_method_id: string }, Rule> {
  table: RulesTable;
  /** As a NOT_FOUND names it. */
  noun: string;
  /** The row's own columns from (part of) an input; minutes checked, naming their parameter. */
  columns(input: Partial<Input>): Partial<Row>;
  /** Listing order before creation time. */
  order: (keyof Row & string)[];
  /** The urgency of a rule that has one (a list may ask for one urgency). */
  urgencyOf?: (row: Row) => string;
  render(row: Row, method: ContactMethodRef): Rule;
}

function minutes(value: number, parameter: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new ValidationError(`${parameter} must be a whole number of minutes, 0 or more (got ${value}).`, {
      parameter,
    });
  }
  return value;
}

const ASSIGNMENT: KindSpec<NotificationRulesTable, NotificationRuleInput, NotificationRule> = {
  table: 'notification_rules',
  noun: 'notification rule',
  columns: (i) => ({
    ...(i.start_delay_in_minutes !== undefined && {
      start_delay_minutes: minutes(i.start_delay_in_minutes, 'start_delay_in_minutes'),
    }),
    ...(i.urgency !== undefined && { urgency: i.urgency }),
  }),
  order: ['urgency', 'start_delay_minutes'],
  urgencyOf: (r) => r.urgency,
  render: (r, contact_method) => ({
    id: r.id,
    type: 'assignment_notification_rule',
    start_delay_in_minutes: r.start_delay_minutes,
    contact_method,
    urgency: r.urgency,
  }),
};

const HANDOFF: KindSpec<HandoffRulesTable, HandoffRuleInput, HandoffNotificationRule> = {
  table: 'handoff_rules',
  noun: 'handoff notification rule',
  columns: (i) => ({
    ...(i.notify_advance_in_minutes !== undefined && {
      notify_advance_minutes: minutes(i.notify_advance_in_minutes, 'notify_advance_in_minutes'),
    }),
    ...(i.handoff_type !== undefined && { handoff_type: i.handoff_type }),
  }),
  order: ['notify_advance_minutes'],
  render: (r, contact_method) => ({
    id: r.id,
    type: 'oncall_handoff_notification_rule',
    notify_advance_in_minutes: r.notify_advance_minutes,
    handoff_type: r.handoff_type,
    contact_method,
  }),
};

/** Each kind's spec, as the port names the kinds. */
function spec<K extends RuleKind>(kind: K) {
  const specs = { assignment: ASSIGNMENT, handoff: HANDOFF };
  // The port's methods below see a row through the columns both kinds have.
  return specs[kind] as unknown as KindSpec<RuleRow, RuleInputOf<K>, RuleOf<K>>;
}

export class NotificationRuleRepository implements NotificationRulesPort {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async listRules<K extends RuleKind>(kind: K, userId: string, urgency?: Urgency): Promise<RuleOf<K>[]> {
    const k = spec(kind);
    await mustHaveUser(this.db, userId);
    let q = rules(this.db).selectFrom(k.table).selectAll().where('user_id', '=', userId);
    for (const column of k.order) q = q.orderBy(column);
    const rows = await q.orderBy('created_at').orderBy('id').execute();
    const { urgencyOf } = k;
    const kept = urgency && urgencyOf ? rows.filter((r) => urgencyOf(r) === urgency) : rows;
    return this.render(k, userId, kept);
  }

  async createRule<K extends RuleKind>(kind: K, userId: string, input: RuleInputOf<K>): Promise<RuleOf<K>> {
    const k = spec(kind);
    const row: RuleRow = {
      id: newId(),
      user_id: userId,
      contact_method_id: input.contact_method_id,
      created_at: this.clock.now(),
      ...k.columns(input),
    };
    await this.db.transaction().execute(async (trx) => {
      await mustHaveUser(trx, userId);
      await mustOwnMethod(trx, userId, input.contact_method_id);
      await rules(trx).insertInto(k.table).values(row).execute();
    });
    return (await this.render(k, userId, [row]))[0] as RuleOf<K>;
  }

  async updateRule<K extends RuleKind>(
    kind: K,
    userId: string,
    ruleId: string,
    patch: Partial<RuleInputOf<K>>,
  ): Promise<RuleOf<K>> {
    const k = spec(kind);
    const row = await this.db.transaction().execute(async (trx) => {
      const found = await mustFindRule(trx, k.table, k.noun, userId, ruleId);
      const set = {
        ...k.columns(patch),
        ...(patch.contact_method_id !== undefined && { contact_method_id: patch.contact_method_id }),
      };
      if (patch.contact_method_id !== undefined) await mustOwnMethod(trx, userId, patch.contact_method_id);
      if (Object.keys(set).length > 0)
        await rules(trx).updateTable(k.table).set(set).where('id', '=', ruleId).execute();
      return { ...found, ...set };
    });
    return (await this.render(k, userId, [row]))[0] as RuleOf<K>;
  }

  async deleteRule<K extends RuleKind>(kind: K, userId: string, ruleId: string): Promise<RuleOf<K>> {
    const k = spec(kind);
    // Rendered before it goes: its contact method is read in the same transaction.
    return this.db.transaction().execute(async (trx) => {
      const found = await mustFindRule(trx, k.table, k.noun, userId, ruleId);
      const [rule] = await this.render(k, userId, [found], trx);
      await rules(trx).deleteFrom(k.table).where('id', '=', ruleId).execute();
      return rule as RuleOf<K>;
    });
  }

  /** Rules in their port shape, each with a reference to its contact method. */
  private async render<Row extends RuleRow, I extends { contact_method_id: string }, R>(
    k: KindSpec<Row, I, R>,
    userId: string,
    rows: Row[],
    db: Db = this.db,
  ): Promise<R[]> {
    const found = await db
      .selectFrom('contact_methods')
      .select(['id', 'kind', 'address', 'label'])
      .where('user_id', '=', userId)
      .execute();
    const methods = new Map(found.map((m) => [m.id, m]));
    return rows.map((r) => {
      const m = methods.get(r.contact_method_id);
      return k.render(r, m ? methodRef(m) : { id: r.contact_method_id, type: 'contact_method_reference' });
    });
  }
}

const rules = (db: Db) => db as unknown as RulesDb;

const methodRef = (m: Method): ContactMethodRef => ({
  id: m.id,
  type: `${m.kind}_contact_method_reference`,
  summary: m.label ?? m.address,
});

async function mustHaveUser(db: Db, userId: string): Promise<void> {
  const row = await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
  if (!row) throw new NotFoundError('user', userId, 'user_id');
}

/** The contact method must exist and be the user's own: a rule never pages someone else. */
async function mustOwnMethod(db: Db, userId: string, methodId: string): Promise<void> {
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

async function mustFindRule(
  db: Db,
  table: RulesTable,
  noun: string,
  userId: string,
  ruleId: string,
): Promise<RuleRow> {
  await mustHaveUser(db, userId);
  const row = await rules(db)
    .selectFrom(table)
    .selectAll()
    .where('id', '=', ruleId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError(noun, ruleId, 'rule_id');
  return row;
}

/** The references to each of these users' assignment rules, as a PagerDuty user lists them. */
export async function ruleReferences(
  db: Db,
  userIds: readonly string[],
): Promise<Map<string, { id: string; type: 'assignment_notification_rule' }[]>> {
  const out = new Map<string, { id: string; type: 'assignment_notification_rule' }[]>();
  if (userIds.length === 0) return out;
  const rows = await db
    .selectFrom('notification_rules')
    .select(['id', 'user_id'])
    .where('user_id', 'in', userIds)
    .orderBy('urgency')
    .orderBy('start_delay_minutes')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const r of rows) {
    const list = out.get(r.user_id) ?? [];
    list.push({ id: r.id, type: 'assignment_notification_rule' });
    out.set(r.user_id, list);
  }
  return out;
}

/** What paging one user sends: each contact method and the minutes after the page it goes out. */
export type PagingStep = Pick<ContactMethodsTable, 'user_id' | 'kind' | 'address' | 'secret'> & {
  delayMinutes: number;
};

/**
 * How paging these users for an incident of `urgency` goes: a user with notification rules is
 * paged by those of that urgency, each at its delay; a user without any rule, on every contact
 * method at once. A user whose rules are all of the other urgency is not paged by a low-urgency
 * incident (it pages through low-urgency rules only), but is by a high-urgency one, on every
 * method at once: a high-urgency page is never lost for want of a rule (PagerDuty requires one).
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
  const byId = new Map(methods.map((m) => [m.id, m]));
  const withRules = new Set(rules.map((r) => r.user_id));
  const mine = rules.filter((r) => r.urgency === urgency && byId.has(r.contact_method_id));
  const covered = new Set(mine.map((r) => r.user_id));
  const steps: PagingStep[] = [];
  for (const m of methods) {
    const atOnce = !withRules.has(m.user_id) || (urgency === 'high' && !covered.has(m.user_id));
    if (atOnce) steps.push({ ...pick(m), delayMinutes: 0 });
  }
  for (const r of mine) {
    const m = byId.get(r.contact_method_id);
    if (m) steps.push({ ...pick(m), delayMinutes: r.start_delay_minutes });
  }
  return steps;
}

const pick = (m: Pick<ContactMethodsTable, 'user_id' | 'kind' | 'address' | 'secret'>) => ({
  user_id: m.user_id,
  kind: m.kind,
  address: m.address,
  secret: m.secret,
});
