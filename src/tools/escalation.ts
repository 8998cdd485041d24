/**
 * Escalation policies in the oncall toolset: the PagerDuty seed's `get_escalation_policies`
 * (its parameters and messages) and the writes PagerDuty has, in its shape: `name`,
 * `num_loops`, `escalation_rules: [{escalation_delay_in_minutes, targets: [{id, type}]}]`.
 */
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { TARGET_TYPES } from '../core/escalation.js';
import { DEFAULT_LIMIT, decodeCursor, fingerprint } from '../core/pagination.js';
import { readScope, rejectContextFilters } from './current-user.js';
import { CREATE, DELETE, defineTool, READ, UPDATE } from './define-tool.js';
import { hintWhenEmpty } from './hints.js';
import { escalationPolicyItem } from './output.js';
import * as p from './params.js';

const policyId = p.id('policy_id').describe('The escalation policy ID.');

const rules = z
  .array(
    z.strictObject({
      escalation_delay_in_minutes: z
        .number()
        .int()
        .min(1)
        .max(1440)
        .describe('Minutes this level has to acknowledge before the next level is paged.'),
      targets: z
        .array(
          z.strictObject({
            id: p.id('target_id').describe('A user or schedule ID.'),
            type: z.enum(TARGET_TYPES).describe('user_reference or schedule_reference.'),
          }),
        )
        .min(1, 'each escalation rule needs at least one target')
        .max(10)
        .describe('Who this level pages.'),
    }),
  )
  .min(1, 'escalation_rules needs at least one rule')
  .max(20)
  .describe('The levels, in order.');

const numLoops = z
  .number()
  .int()
  .min(0)
  .max(9)
  .describe('How many times to repeat all levels when nobody acknowledges (default 0).');

export const getEscalationPolicies = defineTool({
  name: 'get_escalation_policies',
  toolset: 'oncall',
  port: 'escalation',
  resource: 'escalation_policies',
  output: escalationPolicyItem,
  annotations: READ,
  description:
    'List escalation policies or get one by `policy_id`. By default those that target the current user within their teams; pass current_user_context=false with user_ids or team_ids.',
  narrowHint: 'Narrow with `query`, `user_ids` or `team_ids`.',
  input: z.strictObject({
    policy_id: policyId.optional(),
    current_user_context: p.currentUserContext,
    query: p.query.optional(),
    user_ids: p.ids('user_id').optional(),
    team_ids: p.ids('team_id').optional(),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const { escalation } = ctx.ports;
    if (args.policy_id !== undefined) {
      if ([args.query, args.user_ids, args.team_ids, args.limit, args.cursor].some((v) => v !== undefined)) {
        throw new ValidationError(
          `When \`policy_id\` is provided, other filters (like query, user_ids, team_ids, limit) cannot be used. ${p.SEE_DOCS}`,
          { parameter: 'policy_id' },
        );
      }
      const policy = await escalation.getPolicy(args.policy_id);
      if (!policy) throw new NotFoundError('escalation policy', args.policy_id, 'policy_id');
      return { items: [policy] };
    }
    let { user_ids: userIds, team_ids: teamIds } = args;
    let note: string | undefined;
    if (args.current_user_context) {
      rejectContextFilters({ user_ids: userIds, team_ids: teamIds });
      const { context: uc, note: whole } = await readScope(ctx);
      // As the seed does: a user with no team is still filtered by themselves, never "everyone".
      // Without a current user at all, the whole account, saying so.
      userIds = uc && [uc.user_id];
      teamIds = uc?.team_ids.length ? uc.team_ids : undefined;
      note = whole;
    } else if (!userIds?.length && !teamIds?.length) {
      throw new ValidationError(
        `Must specify at least user_ids or team_ids when current_user_context is False. ${p.SEE_DOCS}`,
        {
          parameter: 'user_ids',
        },
      );
    }
    const filters = { query: args.query, userIds, teamIds };
    const print = fingerprint(filters);
    const offset = decodeCursor(args.cursor, print);
    const page = await escalation.listPolicies({ ...filters, limit: args.limit ?? DEFAULT_LIMIT, offset });
    const narrowed = !args.current_user_context || args.query !== undefined || args.cursor !== undefined;
    return {
      items: page.items,
      metadata: { ...(note && { note }), ...hintWhenEmpty(ctx, 'policies', page.items, narrowed) },
      page: { offset, more: page.more, fingerprint: print, notice: page.notice },
    };
  },
});

export const createEscalationPolicy = defineTool({
  name: 'create_escalation_policy',
  toolset: 'oncall',
  port: 'escalation',
  resource: 'escalation_policies',
  output: escalationPolicyItem,
  annotations: CREATE,
  description:
    "Create an escalation policy: levels of users or schedules, each paged when the previous one doesn't acknowledge in time.",
  input: z.strictObject({
    name: z.string().trim().min(1, 'name cannot be empty').max(255).describe('A unique name.'),
    description: z.string().max(2000).optional().describe('Free text describing it.'),
    num_loops: numLoops.optional(),
    escalation_rules: rules,
    team_ids: p.ids('team_id').optional().describe('IDs of the teams that own the policy.'),
  }),
  async handler(args, ctx) {
    return { items: [await ctx.ports.escalation.createPolicy(args)] };
  },
});

export const updateEscalationPolicy = defineTool({
  name: 'update_escalation_policy',
  toolset: 'oncall',
  port: 'escalation',
  resource: 'escalation_policies',
  output: escalationPolicyItem,
  annotations: UPDATE,
  description:
    'Change an escalation policy: name, description, num_loops, teams, or its rules (escalation_rules replaces them all).',
  input: z.strictObject({
    policy_id: policyId,
    name: z.string().trim().min(1, 'name cannot be empty').max(255).optional().describe('A unique name.'),
    description: z.string().max(2000).optional().describe('Free text describing it.'),
    num_loops: numLoops.optional(),
    escalation_rules: rules.optional(),
    team_ids: p.ids('team_id').optional().describe('IDs of the owning teams; replaces the list.'),
  }),
  async handler({ policy_id, ...patch }, ctx) {
    p.requireChange(patch, 'policy_id');
    return { items: [await ctx.ports.escalation.updatePolicy(policy_id, patch)] };
  },
});

export const deleteEscalationPolicy = defineTool({
  name: 'delete_escalation_policy',
  toolset: 'oncall',
  port: 'escalation',
  resource: 'escalation_policies',
  output: escalationPolicyItem,
  annotations: DELETE,
  description: 'Delete an escalation policy that no service uses. Returns the deleted policy.',
  input: z.strictObject({ policy_id: policyId }),
  async handler(args, ctx) {
    const policy = await ctx.ports.escalation.getPolicy(args.policy_id);
    await ctx.ports.escalation.deletePolicy(args.policy_id);
    return { items: policy ? [policy] : [], description: `Deleted escalation policy ${args.policy_id}` };
  },
});

export const escalationTools = [
  getEscalationPolicies,
  createEscalationPolicy,
  updateEscalationPolicy,
  deleteEscalationPolicy,
];
