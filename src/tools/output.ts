/**
 * Output schemas: the envelope every tool returns, around a per-resource item schema.
 * Items are partial because `include` may select any subset of fields.
 */
import { z } from 'zod';

const reference = z.object({ id: z.string(), type: z.string(), summary: z.string() });

export function envelopeSchema(resource: string, item: z.ZodObject) {
  return z.object({
    metadata: z.object({ count: z.number().int(), description: z.string() }).loose(),
    next_cursor: z.string().optional(),
    [resource]: z.array(item.partial().loose()),
  });
}

export const userItem = z.object({
  id: z.string(),
  type: z.literal('user'),
  name: z.string(),
  email: z.string(),
  time_zone: z.string(),
  description: z.string(),
  role: z.string(),
  teams: z.array(reference),
  contact_methods: z.array(z.object({ id: z.string(), type: z.string(), address: z.string() }).loose()),
  created_at: z.string(),
  updated_at: z.string(),
});

export const teamItem = z.object({
  id: z.string(),
  type: z.literal('team'),
  name: z.string(),
  summary: z.string(),
  description: z.string(),
  members: z.array(reference),
  created_at: z.string(),
  updated_at: z.string(),
});

export const serviceItem = z.object({
  id: z.string(),
  type: z.literal('service'),
  name: z.string(),
  summary: z.string(),
  description: z.string(),
  status: z.enum(['active', 'disabled']),
  escalation_policy: reference,
  teams: z.array(reference),
  integration_key: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const userContextItem = z.object({
  user_id: z.string(),
  name: z.string(),
  email: z.string(),
  team_ids: z.array(z.string()),
  service_ids: z.array(z.string()),
  escalation_policy_ids: z.array(z.string()),
});

export const fieldsOf = (item: z.ZodObject): readonly string[] => Object.keys(item.shape);
