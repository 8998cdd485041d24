/**
 * Users' notification rules on PagerDuty: `/users/{id}/notification_rules` (assignment rules) and
 * `/users/{id}/oncall_handoff_notification_rules`, in Vigil's shapes (which are PagerDuty's).
 * Both kinds are requested alike; a KindSpec says what differs. PagerDuty's PUT replaces a whole
 * rule, so an update reads the rule and sends it back changed.
 * A rule names its contact method by a typed reference: the type is read from the user's methods,
 * which also proves the method is theirs.
 */
import { NotFoundError, ValidationError } from '../../core/errors.js';
import type { Urgency } from '../../core/incidents.js';
import {
  type ContactMethodRef,
  HANDOFF_TYPES,
  type HandoffNotificationRule,
  type HandoffRuleInput,
  type HandoffType,
  type NotificationRule,
  type NotificationRuleInput,
  type NotificationRulesPort,
  type RuleInputOf,
  type RuleKind,
  type RuleOf,
} from '../../core/notification-rules.js';
import { arr, defined, num, obj, type Raw, str } from '../shared/read.js';
import { many, one } from './parse.js';
import { enc, type Session } from './session.js';

function contactMethod(v: unknown): ContactMethodRef {
  const m = obj(v);
  const summary = str(m?.summary);
  return {
    id: str(m?.id) ?? '',
    type: str(m?.type) ?? 'contact_method_reference',
    ...(summary !== undefined && { summary }),
  };
}

function rule(raw: Raw): NotificationRule {
  return {
    id: str(raw.id) ?? '',
    type: 'assignment_notification_rule',
    start_delay_in_minutes: num(raw.start_delay_in_minutes) ?? 0,
    contact_method: contactMethod(raw.contact_method),
    urgency: str(raw.urgency) === 'low' ? 'low' : 'high',
  };
}

/** PagerDuty's handoff_type, `both` (its default) for anything else. */
const handoffType = (v: string | undefined): HandoffType => HANDOFF_TYPES.find((t) => t === v) ?? 'both';

function handoff(raw: Raw): HandoffNotificationRule {
  return {
    id: str(raw.id) ?? '',
    type: 'oncall_handoff_notification_rule',
    notify_advance_in_minutes: num(raw.notify_advance_in_minutes) ?? 0,
    handoff_type: handoffType(str(raw.handoff_type)),
    contact_method: contactMethod(raw.contact_method),
  };
}

/** What differs between the two kinds of rule on PagerDuty; the requests are made once below. */
interface KindSpec<Input extends { contact_method_id: string }, Rule> {
  /** The collection under `/users/{id}/`. */
  collection: string;
  /** The key of one rule in request and answer bodies. */
  key: string;
  /** As a NOT_FOUND names it. */
  noun: string;
  parse(raw: Raw): Rule;
  /** The rule's fields as an input, to fill what a patch leaves out (PUT replaces the whole rule). */
  fieldsOf(rule: Rule): Omit<Input, 'contact_method_id'>;
  /** The request body's rule, but its contact method. */
  body(fields: Omit<Input, 'contact_method_id'>): Record<string, unknown>;
  /** The list's query for an urgency, where the kind has one. */
  query?: (urgency: Urgency | undefined) => Record<string, string>;
}

const ASSIGNMENT: KindSpec<NotificationRuleInput, NotificationRule> = {
  collection: 'notification_rules',
  key: 'notification_rule',
  noun: 'notification rule',
  parse: rule,
  fieldsOf: (r) => ({ start_delay_in_minutes: r.start_delay_in_minutes, urgency: r.urgency }),
  body: (f) => ({
    type: 'assignment_notification_rule',
    start_delay_in_minutes: f.start_delay_in_minutes,
    urgency: f.urgency,
  }),
  // Without `urgency` PagerDuty lists the high-urgency rules only.
  query: (urgency) => ({ urgency: urgency ?? 'all' }),
};

const HANDOFF: KindSpec<HandoffRuleInput, HandoffNotificationRule> = {
  collection: 'oncall_handoff_notification_rules',
  key: 'oncall_handoff_notification_rule',
  noun: 'handoff notification rule',
  parse: handoff,
  fieldsOf: (r) => ({ notify_advance_in_minutes: r.notify_advance_in_minutes, handoff_type: r.handoff_type }),
  body: (f) => ({ notify_advance_in_minutes: f.notify_advance_in_minutes, handoff_type: f.handoff_type }),
};

/** Each kind's spec, as the port names the kinds. */
function spec<K extends RuleKind>(kind: K) {
  const specs = { assignment: ASSIGNMENT, handoff: HANDOFF };
  return specs[kind] as unknown as KindSpec<RuleInputOf<K>, RuleOf<K>>;
}

export class PagerDutyNotificationRules implements NotificationRulesPort {
  constructor(private readonly s: Session) {}

  async listRules<K extends RuleKind>(kind: K, userId: string, urgency?: Urgency): Promise<RuleOf<K>[]> {
    const k = spec(kind);
    const body = await this.s.client.find<unknown>(
      `/users/${enc(userId)}/${k.collection}`,
      k.query?.(urgency),
    );
    // A 404 here is the user's.
    if (body === undefined) throw new NotFoundError('user', userId, 'user_id');
    return many(body, k.collection).map(k.parse);
  }

  async createRule<K extends RuleKind>(kind: K, userId: string, input: RuleInputOf<K>): Promise<RuleOf<K>> {
    const k = spec(kind);
    const { contact_method_id, ...fields } = input;
    // Reading the user's methods also answers NOT_FOUND for an unknown user.
    const contact_method = await this.methodOf(userId, contact_method_id);
    const body = await this.s.client.send<unknown>('POST', `/users/${enc(userId)}/${k.collection}`, {
      [k.key]: { ...k.body(fields), contact_method },
    });
    return k.parse(one(body, k.key));
  }

  async updateRule<K extends RuleKind>(
    kind: K,
    userId: string,
    ruleId: string,
    patch: Partial<RuleInputOf<K>>,
  ): Promise<RuleOf<K>> {
    const k = spec(kind);
    const current = await this.get(k, userId, ruleId);
    const { contact_method_id, ...changed } = patch;
    const contact_method =
      contact_method_id === undefined
        ? { id: current.contact_method.id, type: current.contact_method.type }
        : await this.methodOf(userId, contact_method_id);
    const fields = { ...k.fieldsOf(current), ...defined(changed) };
    const body = await this.s.client.send<unknown>('PUT', this.rulePath(k, userId, ruleId), {
      [k.key]: { ...k.body(fields), contact_method },
    });
    return k.parse(one(body, k.key));
  }

  async deleteRule<K extends RuleKind>(kind: K, userId: string, ruleId: string): Promise<RuleOf<K>> {
    const k = spec(kind);
    const current = await this.get(k, userId, ruleId);
    await this.s.client.send<unknown>('DELETE', this.rulePath(k, userId, ruleId), undefined);
    return current;
  }

  /** A rule, or NOT_FOUND naming the user when they are unknown and the rule otherwise. */
  private async get<I extends { contact_method_id: string }, R>(
    k: KindSpec<I, R>,
    userId: string,
    ruleId: string,
  ): Promise<R> {
    const body = await this.s.client.find<unknown>(this.rulePath(k, userId, ruleId));
    if (body !== undefined) return k.parse(one(body, k.key));
    await this.methodsOf(userId);
    throw new NotFoundError(k.noun, ruleId, 'rule_id');
  }

  private rulePath(k: { collection: string }, userId: string, ruleId: string): string {
    return `/users/${enc(userId)}/${k.collection}/${enc(ruleId)}`;
  }

  /** The user's contact methods (NOT_FOUND naming `user_id` when PagerDuty knows no such user). */
  private async methodsOf(userId: string): Promise<Raw[]> {
    const body = await this.s.client.find<{ user: Raw }>(`/users/${enc(userId)}`, {
      include: ['contact_methods'],
    });
    if (!body) throw new NotFoundError('user', userId, 'user_id');
    return arr(one(body, 'user').contact_methods);
  }

  /** A typed reference to one of the user's own contact methods, as PagerDuty's requests take it. */
  private async methodOf(userId: string, methodId: string): Promise<{ id: string; type: string }> {
    const methods = await this.methodsOf(userId);
    const method = methods.find((m) => str(m.id) === methodId);
    if (!method) {
      throw new ValidationError(
        `contact_method_id ${methodId} is not one of user ${userId}'s contact methods (${methods.map((m) => str(m.id)).join(', ') || 'they have none'}).`,
        { parameter: 'contact_method_id' },
      );
    }
    const type = (str(method.type) ?? 'email_contact_method').replace(/_reference$/, '');
    return { id: methodId, type: `${type}_reference` };
  }
}
