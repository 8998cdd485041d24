/**
 * Users' notification rules on PagerDuty: `/users/{id}/notification_rules` (assignment rules) and
 * `/users/{id}/oncall_handoff_notification_rules`, in Vigil's shapes (which are PagerDuty's).
 * PagerDuty's PUT replaces a whole rule, so an update reads the rule and sends it back changed.
 * A rule names its contact method by a typed reference: the type is read from the user's methods,
 * which also proves the method is theirs.
 */
import { NotFoundError, ValidationError } from '../../core/errors.js';
import type { Urgency } from '../../core/incidents.js';
import type {
  ContactMethodRef,
  HandoffNotificationRule,
  HandoffRuleInput,
  HandoffType,
  NotificationRule,
  NotificationRuleInput,
  NotificationRulesPort,
} from '../../core/notification-rules.js';
import { arr, num, obj, type Raw, str } from '../shared/read.js';
import { isNotFound } from '../shared/rest.js';
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
    urgency: (str(raw.urgency) === 'low' ? 'low' : 'high') as Urgency,
  };
}

function handoff(raw: Raw): HandoffNotificationRule {
  return {
    id: str(raw.id) ?? '',
    type: 'oncall_handoff_notification_rule',
    notify_advance_in_minutes: num(raw.notify_advance_in_minutes) ?? 0,
    handoff_type: (str(raw.handoff_type) ?? 'both') as HandoffType,
    contact_method: contactMethod(raw.contact_method),
  };
}

const RULES = 'notification_rules';
const HANDOFFS = 'oncall_handoff_notification_rules';

export class PagerDutyNotificationRules implements NotificationRulesPort {
  constructor(private readonly s: Session) {}

  async listRules(userId: string, urgency?: Urgency): Promise<NotificationRule[]> {
    const body = await this.userGet(userId, `/users/${enc(userId)}/${RULES}`, { urgency: urgency ?? 'all' });
    return many(body, RULES).map(rule);
  }

  async createRule(userId: string, input: NotificationRuleInput): Promise<NotificationRule> {
    const method = await this.methodOf(userId, input.contact_method_id);
    const body = await this.userSend(userId, 'POST', `/users/${enc(userId)}/${RULES}`, {
      notification_rule: {
        type: 'assignment_notification_rule',
        start_delay_in_minutes: input.start_delay_in_minutes,
        urgency: input.urgency,
        contact_method: method,
      },
    });
    return rule(one(body, 'notification_rule'));
  }

  async updateRule(
    userId: string,
    ruleId: string,
    patch: Partial<NotificationRuleInput>,
  ): Promise<NotificationRule> {
    const current = await this.getRule(userId, ruleId);
    const method =
      patch.contact_method_id === undefined
        ? { id: current.contact_method.id, type: current.contact_method.type }
        : await this.methodOf(userId, patch.contact_method_id);
    const body = await this.ruleSend('PUT', userId, RULES, ruleId, {
      notification_rule: {
        type: 'assignment_notification_rule',
        start_delay_in_minutes: patch.start_delay_in_minutes ?? current.start_delay_in_minutes,
        urgency: patch.urgency ?? current.urgency,
        contact_method: method,
      },
    });
    return rule(one(body, 'notification_rule'));
  }

  async deleteRule(userId: string, ruleId: string): Promise<NotificationRule> {
    const current = await this.getRule(userId, ruleId);
    await this.ruleSend('DELETE', userId, RULES, ruleId, undefined);
    return current;
  }

  async listHandoffRules(userId: string): Promise<HandoffNotificationRule[]> {
    const body = await this.userGet(userId, `/users/${enc(userId)}/${HANDOFFS}`);
    return many(body, HANDOFFS).map(handoff);
  }

  async createHandoffRule(userId: string, input: HandoffRuleInput): Promise<HandoffNotificationRule> {
    const method = await this.methodOf(userId, input.contact_method_id);
    const body = await this.userSend(userId, 'POST', `/users/${enc(userId)}/${HANDOFFS}`, {
      oncall_handoff_notification_rule: {
        notify_advance_in_minutes: input.notify_advance_in_minutes,
        handoff_type: input.handoff_type,
        contact_method: method,
      },
    });
    return handoff(one(body, 'oncall_handoff_notification_rule'));
  }

  async updateHandoffRule(
    userId: string,
    ruleId: string,
    patch: Partial<HandoffRuleInput>,
  ): Promise<HandoffNotificationRule> {
    const current = await this.getHandoffRule(userId, ruleId);
    const method =
      patch.contact_method_id === undefined
        ? { id: current.contact_method.id, type: current.contact_method.type }
        : await this.methodOf(userId, patch.contact_method_id);
    const body = await this.ruleSend('PUT', userId, HANDOFFS, ruleId, {
      oncall_handoff_notification_rule: {
        id: ruleId,
        notify_advance_in_minutes: patch.notify_advance_in_minutes ?? current.notify_advance_in_minutes,
        handoff_type: patch.handoff_type ?? current.handoff_type,
        contact_method: method,
      },
    });
    return handoff(one(body, 'oncall_handoff_notification_rule'));
  }

  async deleteHandoffRule(userId: string, ruleId: string): Promise<HandoffNotificationRule> {
    const current = await this.getHandoffRule(userId, ruleId);
    await this.ruleSend('DELETE', userId, HANDOFFS, ruleId, undefined);
    return current;
  }

  private async getRule(userId: string, ruleId: string): Promise<NotificationRule> {
    const body = await this.ruleGet(userId, RULES, ruleId, 'notification rule');
    return rule(one(body, 'notification_rule'));
  }

  private async getHandoffRule(userId: string, ruleId: string): Promise<HandoffNotificationRule> {
    const body = await this.ruleGet(userId, HANDOFFS, ruleId, 'handoff notification rule');
    return handoff(one(body, 'oncall_handoff_notification_rule'));
  }

  /** A GET under a user; a 404 means the user is unknown. */
  private async userGet(userId: string, path: string, query?: Record<string, string>): Promise<unknown> {
    const body = await this.s.client.find<unknown>(path, query);
    if (body === undefined) throw new NotFoundError('user', userId, 'user_id');
    return body;
  }

  private async userSend(userId: string, method: 'POST', path: string, body: unknown): Promise<unknown> {
    try {
      return await this.s.client.send<unknown>(method, path, body);
    } catch (err) {
      if (isNotFound(err)) throw new NotFoundError('user', userId, 'user_id');
      throw err;
    }
  }

  /** A rule, or NOT_FOUND naming the user when they are unknown and the rule otherwise. */
  private async ruleGet(userId: string, collection: string, ruleId: string, what: string): Promise<unknown> {
    const body = await this.s.client.find<unknown>(`/users/${enc(userId)}/${collection}/${enc(ruleId)}`);
    if (body !== undefined) return body;
    await this.methodsOf(userId);
    throw new NotFoundError(what, ruleId, 'rule_id');
  }

  private async ruleSend(
    method: 'PUT' | 'DELETE',
    userId: string,
    collection: string,
    ruleId: string,
    body: unknown,
  ): Promise<unknown> {
    return this.s.client.send<unknown>(method, `/users/${enc(userId)}/${collection}/${enc(ruleId)}`, body);
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
