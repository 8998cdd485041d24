/**
 * The directory domain (users, teams, services) and its port. Shapes follow PagerDuty's field
 * names so an agent sees the same objects whichever provider answers. Each resource is defined
 * once, as a zod schema: its type derives from it, and the tools' output schemas are these.
 */
import { z } from 'zod';
import type { CONTACT_METHOD_TYPES } from './channels.js';

export const referenceSchema = z.object({ id: z.string(), type: z.string(), summary: z.string() });
export type Reference = z.infer<typeof referenceSchema>;

/** The kinds a contact method may be (see channels.ts). */
export type ContactMethodKind = (typeof CONTACT_METHOD_TYPES)[number];

export interface ContactMethod {
  id: string;
  /** PagerDuty's spelling, e.g. `email_contact_method`. */
  type: `${ContactMethodKind}_contact_method`;
  summary: string;
  /** Absent where a provider lists only references (PagerDuty without `include[]=contact_methods`). */
  address?: string;
  label?: string;
  /**
   * Webhook methods only, and only in answers to create_user and update_user (never in reads):
   * the key for verifying the Standard Webhooks `webhook-signature` of each delivery.
   */
  signing_secret?: string;
}

export const userSchema = z.object({
  id: z.string(),
  type: z.literal('user'),
  name: z.string(),
  email: z.string(),
  /** Absent only where the provider does not say (PagerDuty user references). */
  time_zone: z.string().optional(),
  description: z.string().optional(),
  role: z.string().optional(),
  job_title: z.string().optional(),
  teams: z.array(referenceSchema),
  contact_methods: z.array(
    z.object({ id: z.string(), type: z.string(), address: z.string().optional() }).loose(),
  ),
  /** PagerDuty's notification rules, as references. */
  notification_rules: z.array(z.object({ id: z.string(), type: z.string() })).optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
/** Answers list contact methods loosely (id, type, address); the domain holds each whole (ContactMethod). */
export type User = Omit<z.infer<typeof userSchema>, 'contact_methods'> & { contact_methods: ContactMethod[] };

export const teamSchema = z.object({
  id: z.string(),
  type: z.literal('team'),
  name: z.string(),
  summary: z.string(),
  description: z.string().optional(),
  /** PagerDuty's parent team. */
  parent: z.object({ id: z.string(), type: z.string() }).optional(),
  /** Listed when one team is read; PagerDuty adds each member's role. */
  members: z.array(referenceSchema.extend({ role: z.string().optional() })).optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
export type Team = z.infer<typeof teamSchema>;

/** The urgencies a service may give the incidents it opens; `severity_based` follows each alert's severity. */
export const SERVICE_URGENCIES = ['high', 'low', 'severity_based'] as const;
export type ServiceUrgency = (typeof SERVICE_URGENCIES)[number];

/** A service's status: Vigil sets `active` or `disabled`; PagerDuty also reports the other three. */
export const SERVICE_STATUSES = ['active', 'disabled', 'warning', 'critical', 'maintenance'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

/** PagerDuty's `incident_urgency_rule` of a service, in its constant form. */
export const incidentUrgencyRuleSchema = z.object({
  type: z.literal('constant'),
  urgency: z.enum(SERVICE_URGENCIES),
});
export type IncidentUrgencyRule = z.infer<typeof incidentUrgencyRuleSchema>;

/**
 * The urgency of an incident a service opens: the one the caller asked for, else the service's
 * constant rule, else the one the trigger brings (from an alert's severity, or high).
 */
export function incidentUrgency(
  rule: string | null | undefined,
  trigger: { urgency: 'high' | 'low'; urgencyGiven?: boolean | undefined },
): 'high' | 'low' {
  if (trigger.urgencyGiven) return trigger.urgency;
  return rule === 'high' || rule === 'low' ? rule : trigger.urgency;
}

export const serviceSchema = z.object({
  id: z.string(),
  type: z.literal('service'),
  name: z.string(),
  summary: z.string(),
  description: z.string().optional(),
  /** `active` or `disabled`; PagerDuty also reports `warning`, `critical` and `maintenance`. */
  status: z.enum(SERVICE_STATUSES),
  escalation_policy: referenceSchema.optional(),
  teams: z.array(referenceSchema),
  /** The Events API v2 routing key of an embedded service. */
  integration_key: z.string().optional(),
  /** The urgency of the incidents it opens; absent: as each trigger says (alert severity, or high). */
  incident_urgency_rule: incidentUrgencyRuleSchema.optional(),
  /** PagerDuty's integrations of the service. */
  integrations: z.array(z.object({ id: z.string(), summary: z.string() })).optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
export type Service = z.infer<typeof serviceSchema>;

/** What `current_user_context` filters by (the PagerDuty seed's `build_user_context`). */
export const userContextSchema = z.object({
  user_id: z.string(),
  name: z.string(),
  email: z.string(),
  team_ids: z.array(z.string()),
  service_ids: z.array(z.string()),
  escalation_policy_ids: z.array(z.string()),
});
export type UserContext = z.infer<typeof userContextSchema>;

export interface Page<T> {
  items: T[];
  /** True when items beyond this page exist. */
  more: boolean;
  /** Said when the provider cannot list further (PagerDuty's 10,000 cap): narrow the query. */
  notice?: string;
}

export interface ListQuery {
  query?: string;
  limit: number;
  offset: number;
}

export interface ContactMethodInput {
  type: ContactMethodKind;
  address: string;
  label?: string;
  /** An access token for kinds that take one (ntfy, gotify); kept as the method's secret, never shown. */
  token?: string;
}

/** The roles a Vigil user may have; PagerDuty reports its own (owner, limited_user, …) on User.role. */
export const USER_ROLES = ['admin', 'user', 'observer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface UserInput {
  name: string;
  email: string;
  time_zone?: string;
  description?: string;
  role?: UserRole;
  contact_methods?: ContactMethodInput[];
}

export interface TeamInput {
  name: string;
  description?: string;
  member_ids?: string[];
}

export interface ServiceInput {
  name: string;
  description?: string;
  status?: 'active' | 'disabled';
  escalation_policy_id?: string | null;
  team_ids?: string[];
  /** null removes it. */
  incident_urgency_rule?: IncidentUrgencyRule | null;
}

export interface DirectoryPort {
  /** The user the provider's credential belongs to, where the provider knows it (PagerDuty's `/users/me`). */
  me?(): Promise<User>;
  getUser(id: string): Promise<User | undefined>;
  findUserByEmail(email: string): Promise<User | undefined>;
  /**
   * The user with a contact method of this kind at this address (a Telegram chat id, say), where
   * the provider can look it up; the chat buttons find who tapped by it.
   */
  findUserByContact?(kind: ContactMethodKind, address: string): Promise<User | undefined>;
  listUsers(q: ListQuery & { teamIds?: string[] }): Promise<Page<User>>;
  createUser(input: UserInput): Promise<User>;
  updateUser(id: string, patch: Partial<UserInput>): Promise<User>;
  deleteUser(id: string): Promise<void>;

  getTeam(id: string): Promise<Team | undefined>;
  listTeams(q: ListQuery & { teamIds?: string[] }): Promise<Page<Team>>;
  createTeam(input: TeamInput): Promise<Team>;
  updateTeam(id: string, patch: Partial<TeamInput>): Promise<Team>;
  deleteTeam(id: string): Promise<void>;

  getService(id: string): Promise<Service | undefined>;
  /** The service an Events API routing key (its integration key) belongs to. */
  findServiceByIntegrationKey(key: string): Promise<Service | undefined>;
  listServices(q: ListQuery & { teamIds?: string[] }): Promise<Page<Service>>;
  createService(input: ServiceInput): Promise<Service>;
  updateService(
    id: string,
    patch: Partial<ServiceInput> & { regenerate_integration_key?: boolean },
  ): Promise<Service>;
  deleteService(id: string): Promise<void>;

  /** The context of one user: teams, their services, and escalation policies that target the user. */
  userContext(userId: string): Promise<UserContext>;
}
