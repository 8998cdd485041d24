/**
 * Escalation policies: who is paged, level by level, and how long each level has before the
 * next. Shapes follow PagerDuty's field names.
 */
import type { Page } from './directory.js';

export const TARGET_TYPES = ['user_reference', 'schedule_reference'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export interface EscalationRule {
  id: string;
  escalation_delay_in_minutes: number;
  targets: { id: string; type: TargetType; summary: string }[];
}

export interface EscalationPolicy {
  id: string;
  type: 'escalation_policy';
  name: string;
  summary: string;
  description?: string;
  num_loops: number;
  escalation_rules: EscalationRule[];
  services: { id: string; summary: string }[];
  teams: { id: string; summary: string }[];
  created_at?: string;
  updated_at?: string;
}

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
