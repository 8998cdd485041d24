/**
 * Escalation policies: who is paged, level by level, and how long each level has before the
 * next. Shapes follow PagerDuty's field names. A policy is defined once, as a zod schema: its
 * type derives from it, and the tools' output schema is it.
 */
import { z } from 'zod';
import { type Page, type Reference, referenceSchema } from './directory.js';
import { refSchema } from './incidents.js';

export const TARGET_TYPES = ['user_reference', 'schedule_reference'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export const escalationRuleSchema = z.object({
  id: z.string(),
  escalation_delay_in_minutes: z.number(),
  targets: z.array(referenceSchema),
});
/** The one narrowing: a target is a user or a schedule (TARGET_TYPES); answers say its type as a string. */
export type EscalationRule = Omit<z.infer<typeof escalationRuleSchema>, 'targets'> & {
  targets: (Reference & { type: TargetType })[];
};

export const escalationPolicySchema = z.object({
  id: z.string(),
  type: z.literal('escalation_policy'),
  name: z.string(),
  summary: z.string(),
  description: z.string().optional(),
  num_loops: z.number().int(),
  escalation_rules: z.array(escalationRuleSchema),
  services: z.array(refSchema),
  teams: z.array(refSchema),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
/** Its rules narrowed as EscalationRule says. */
export type EscalationPolicy = Omit<z.infer<typeof escalationPolicySchema>, 'escalation_rules'> & {
  escalation_rules: EscalationRule[];
};

export interface EscalationPolicyInput {
  name: string;
  description?: string | undefined;
  num_loops?: number | undefined;
  escalation_rules: { escalation_delay_in_minutes: number; targets: { id: string; type: TargetType }[] }[];
  team_ids?: string[] | undefined;
}

export interface EscalationPolicyFilter {
  query?: string | undefined;
  /** Policies that page any of these users, directly or through a schedule they are in. */
  userIds?: string[] | undefined;
  /** Policies of any of these teams. */
  teamIds?: string[] | undefined;
  limit: number;
  offset: number;
}

export interface EscalationPort {
  getPolicy(id: string): Promise<EscalationPolicy | undefined>;
  listPolicies(filter: EscalationPolicyFilter): Promise<Page<EscalationPolicy>>;
  createPolicy(input: EscalationPolicyInput): Promise<EscalationPolicy>;
  updatePolicy(id: string, patch: Partial<EscalationPolicyInput>): Promise<EscalationPolicy>;
  deletePolicy(id: string): Promise<void>;
}
