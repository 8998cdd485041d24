/**
 * A person's notification rules, in the oncall toolset: assignment rules (which contact method
 * pages them how many minutes after they are paged, for high or low urgency) and on-call handoff
 * rules (a notice before their shift starts or ends), in PagerDuty's shape. One tool per verb
 * serves both kinds, chosen by `kind`, so the surface stays small.
 */
import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import { URGENCIES } from '../core/incidents.js';
import {
  HANDOFF_TYPES,
  notificationRuleSchema,
  RULE_KINDS,
  type RuleKind,
} from '../core/notification-rules.js';
import { currentUser } from './current-user.js';
import { CREATE, DELETE, defineTool, READ, type ToolContext, UPDATE } from './define-tool.js';
import * as p from './params.js';

const userId = p.id('user_id').describe('The user whose rules these are (default: the current user).');
const ruleId = p.id('rule_id').describe('The rule ID.');
const kind = z.enum(RULE_KINDS).default('assignment').describe('assignment (default) or handoff.');
const minutes = (what: string) => z.number().int().min(0, `${what} must be 0 or more`).max(10_080);
const fields = {
  contact_method_id: p.id('contact_method_id').describe("One of the user's contact methods (get_users)."),
  start_delay_in_minutes: minutes('start_delay_in_minutes').describe(
    'assignment: minutes after being paged (default 0).',
  ),
  urgency: z.enum(URGENCIES).describe('assignment: incidents of this urgency (default high).'),
  notify_advance_in_minutes: minutes('notify_advance_in_minutes').describe(
    'handoff: minutes before the shift edge (default 0).',
  ),
  handoff_type: z.enum(HANDOFF_TYPES).describe('handoff: going on call, off call, or both (default).'),
};
const ASSIGNMENT_ONLY = ['start_delay_in_minutes', 'urgency'] as const;
const HANDOFF_ONLY = ['notify_advance_in_minutes', 'handoff_type'] as const;

/** Fails a field of the other kind of rule, naming it. */
function onlyFieldsOf(k: RuleKind, args: Record<string, unknown>): void {
  const foreign = k === 'assignment' ? HANDOFF_ONLY : ASSIGNMENT_ONLY;
  const given = foreign.find((f) => args[f] !== undefined);
  if (given) {
    throw new ValidationError(
      `${given} belongs to ${k === 'assignment' ? 'handoff' : 'assignment'} rules; pass kind='${k === 'assignment' ? 'handoff' : 'assignment'}' or leave it out.`,
      { parameter: given },
    );
  }
}

/** Whose rules a tool works on (default: the current user's), once the other kind's fields are refused. */
async function userFor(ctx: ToolContext, args: { kind: RuleKind; user_id?: string | undefined }) {
  onlyFieldsOf(args.kind, args);
  return args.user_id ?? (await currentUser(ctx)).id;
}

export const listNotificationRules = defineTool({
  name: 'list_notification_rules',
  toolset: 'oncall',
  port: 'notificationRules',
  resource: 'notification_rules',
  output: notificationRuleSchema,
  annotations: READ,
  description:
    "A user's notification rules: assignment (contact method, delay, urgency) or handoff (on-call shift notices). Without assignment rules, every method is paged at once.",
  input: z.strictObject({
    user_id: userId.optional(),
    kind,
    urgency: z.enum(URGENCIES).optional().describe('assignment: only rules of this urgency.'),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const user = await userFor(ctx, args);
    const items = await ctx.ports.notificationRules.listRules(args.kind, user, args.urgency);
    return { items, description: `${items.length} ${args.kind} rule(s) of user ${user}` };
  },
});

export const createNotificationRule = defineTool({
  name: 'create_notification_rule',
  toolset: 'oncall',
  port: 'notificationRules',
  resource: 'notification_rules',
  output: notificationRuleSchema,
  annotations: CREATE,
  description:
    "Add a user's notification rule: assignment (page by a method N minutes in, for an urgency) or handoff (notice N minutes before a shift edge). Rules for an urgency replace paging every method at once.",
  input: z.strictObject({
    user_id: userId.optional(),
    kind,
    contact_method_id: fields.contact_method_id,
    start_delay_in_minutes: fields.start_delay_in_minutes.optional(),
    urgency: fields.urgency.optional(),
    notify_advance_in_minutes: fields.notify_advance_in_minutes.optional(),
    handoff_type: fields.handoff_type.optional(),
  }),
  async handler(args, ctx) {
    const user = await userFor(ctx, args);
    const { kind: k, contact_method_id } = args;
    // Each kind's defaults, as PagerDuty's.
    const input =
      k === 'assignment'
        ? {
            contact_method_id,
            start_delay_in_minutes: args.start_delay_in_minutes ?? 0,
            urgency: args.urgency ?? 'high',
          }
        : {
            contact_method_id,
            notify_advance_in_minutes: args.notify_advance_in_minutes ?? 0,
            handoff_type: args.handoff_type ?? 'both',
          };
    const rule = await ctx.ports.notificationRules.createRule(k, user, input);
    return { items: [rule], description: `Created ${args.kind} rule ${rule.id}` };
  },
});

export const updateNotificationRule = defineTool({
  name: 'update_notification_rule',
  toolset: 'oncall',
  port: 'notificationRules',
  resource: 'notification_rules',
  output: notificationRuleSchema,
  annotations: UPDATE,
  description:
    "Change a user's notification rule (of `kind`): contact method, delay/urgency or advance/type.",
  input: z.strictObject({
    user_id: userId.optional(),
    rule_id: ruleId,
    kind,
    contact_method_id: fields.contact_method_id.optional(),
    start_delay_in_minutes: fields.start_delay_in_minutes.optional(),
    urgency: fields.urgency.optional(),
    notify_advance_in_minutes: fields.notify_advance_in_minutes.optional(),
    handoff_type: fields.handoff_type.optional(),
  }),
  async handler({ user_id, rule_id, kind: k, ...patch }, ctx) {
    p.requireChange(patch, 'rule_id');
    const user = await userFor(ctx, { kind: k, user_id, ...patch });
    return { items: [await ctx.ports.notificationRules.updateRule(k, user, rule_id, patch)] };
  },
});

export const deleteNotificationRule = defineTool({
  name: 'delete_notification_rule',
  toolset: 'oncall',
  port: 'notificationRules',
  resource: 'notification_rules',
  output: notificationRuleSchema,
  annotations: DELETE,
  description: "Delete a user's notification rule (of `kind`). Returns the deleted rule.",
  input: z.strictObject({ user_id: userId.optional(), rule_id: ruleId, kind }),
  async handler(args, ctx) {
    const user = await userFor(ctx, args);
    return {
      items: [await ctx.ports.notificationRules.deleteRule(args.kind, user, args.rule_id)],
      description: `Deleted ${args.kind} rule ${args.rule_id}`,
    };
  },
});

export const notificationRuleTools = [
  listNotificationRules,
  createNotificationRule,
  updateNotificationRule,
  deleteNotificationRule,
];
