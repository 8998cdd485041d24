/**
 * A person's own notification rules, in PagerDuty's shape: assignment rules (when an incident of an
 * urgency pages them, which contact method is used after how many minutes) and on-call handoff
 * rules (a notice before their on-call shift starts or ends). A user without assignment rules is
 * paged on every contact method at once.
 */
import type { Urgency } from './incidents.js';

export const HANDOFF_TYPES = ['both', 'oncall', 'offcall'] as const;
export type HandoffType = (typeof HANDOFF_TYPES)[number];
/** The edge of a shift a handoff notice tells of: its start (`oncall`) or its end (`offcall`). */
export type HandoffEdge = Exclude<HandoffType, 'both'>;

/** The two kinds of rule, as the tools name them. */
export const RULE_KINDS = ['assignment', 'handoff'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** The `type` of each kind of rule, in PagerDuty's words. */
export const RULE_TYPES = ['assignment_notification_rule', 'oncall_handoff_notification_rule'] as const;

/** The contact method a rule uses: PagerDuty's `<kind>_contact_method_reference`. */
export interface ContactMethodRef {
  id: string;
  type: string;
  summary?: string;
}

export interface NotificationRule {
  id: string;
  type: 'assignment_notification_rule';
  /** Minutes after the user is paged that this rule fires (0: at once). */
  start_delay_in_minutes: number;
  contact_method: ContactMethodRef;
  /** The urgency of the incidents this rule is used for. */
  urgency: Urgency;
}

export interface HandoffNotificationRule {
  id: string;
  type: 'oncall_handoff_notification_rule';
  /** Minutes before the shift starts (or ends) that the notice goes out. */
  notify_advance_in_minutes: number;
  /** Notify when going on call, off call, or both. */
  handoff_type: HandoffType;
  contact_method: ContactMethodRef;
}

export interface NotificationRuleInput {
  start_delay_in_minutes: number;
  contact_method_id: string;
  urgency: Urgency;
}

export interface HandoffRuleInput {
  notify_advance_in_minutes: number;
  handoff_type: HandoffType;
  contact_method_id: string;
}

/** Each kind of rule: the rule, and what writing one takes. */
interface RuleShapes {
  assignment: { rule: NotificationRule; input: NotificationRuleInput };
  handoff: { rule: HandoffNotificationRule; input: HandoffRuleInput };
}
export type RuleOf<K extends RuleKind> = RuleShapes[K]['rule'];
export type RuleInputOf<K extends RuleKind> = RuleShapes[K]['input'];

/**
 * Both kinds of rule, chosen by `kind`. An unknown user is NOT_FOUND naming `user_id`, an unknown
 * rule (or one of the other kind) NOT_FOUND naming `rule_id`; a contact method must be the user's.
 */
export interface NotificationRulesPort {
  /** The user's rules, by delay or advance; assignment rules of one urgency when it is given. */
  listRules<K extends RuleKind>(kind: K, userId: string, urgency?: Urgency): Promise<RuleOf<K>[]>;
  createRule<K extends RuleKind>(kind: K, userId: string, input: RuleInputOf<K>): Promise<RuleOf<K>>;
  /** What the patch leaves out stays. */
  updateRule<K extends RuleKind>(
    kind: K,
    userId: string,
    ruleId: string,
    patch: Partial<RuleInputOf<K>>,
  ): Promise<RuleOf<K>>;
  /** Answers the rule as it was. */
  deleteRule<K extends RuleKind>(kind: K, userId: string, ruleId: string): Promise<RuleOf<K>>;
}
