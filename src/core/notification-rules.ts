/**
 * A person's own notification rules, in PagerDuty's shape: assignment rules (when an incident of an
 * urgency pages them, which contact method is used after how many minutes) and on-call handoff
 * rules (a notice before their on-call shift starts or ends). A user without assignment rules is
 * paged on every contact method at once. A rule is defined once, as a zod schema: the types derive
 * from it, and the tools' output schema is it.
 */
import { z } from 'zod';
import { URGENCIES, type Urgency } from './incidents.js';

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
export const contactMethodRefSchema = z.object({
  id: z.string(),
  type: z.string(),
  summary: z.string().optional(),
});
export type ContactMethodRef = z.infer<typeof contactMethodRefSchema>;

/** Either kind of rule: `type` says which, and each kind has only its own fields. */
export const notificationRuleSchema = z.object({
  id: z.string(),
  type: z.enum(RULE_TYPES),
  contact_method: contactMethodRefSchema,
  /** assignment: minutes after the user is paged that this rule fires (0: at once). */
  start_delay_in_minutes: z.number().int(),
  /** assignment: the urgency of the incidents this rule is used for. */
  urgency: z.enum(URGENCIES),
  /** handoff: minutes before the shift starts (or ends) that the notice goes out. */
  notify_advance_in_minutes: z.number().int(),
  /** handoff: notify when going on call, off call, or both. */
  handoff_type: z.enum(HANDOFF_TYPES),
});
type AnyRule = z.infer<typeof notificationRuleSchema>;

/** An assignment rule: the schema's fields of that kind, its `type` narrowed. */
export type NotificationRule = Pick<
  AnyRule,
  'id' | 'contact_method' | 'start_delay_in_minutes' | 'urgency'
> & {
  type: 'assignment_notification_rule';
};

/** An on-call handoff rule: the schema's fields of that kind, its `type` narrowed. */
export type HandoffNotificationRule = Pick<
  AnyRule,
  'id' | 'contact_method' | 'notify_advance_in_minutes' | 'handoff_type'
> & { type: 'oncall_handoff_notification_rule' };

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
