/**
 * Secrets for checks: values stored encrypted, given to a check's requests as `{{NAME}}`
 * variables, never shown in lists. Field names follow Pingera's (`secret_name`, `secret_value`,
 * `env_variable`). A secret and a check's use of one are each defined once, as a zod schema: the
 * types derive from it, and the tools' output schemas are these.
 */
import { z } from 'zod';
import type { Page } from './directory.js';

export const secretSchema = z.object({
  id: z.string(),
  secret_name: z.string(),
  /** Only in get_secret_details, and only for a caller allowed to write. */
  secret_value: z.string().optional(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Secret = z.infer<typeof secretSchema>;

export const checkSecretSchema = z.object({
  secret_id: z.string(),
  env_variable: z.string(),
  secret: z.object({ secret_name: z.string() }),
});
export type CheckSecret = z.infer<typeof checkSecretSchema>;

export interface SecretsPort {
  listSecrets(limit: number, offset: number): Promise<Page<Secret>>;
  getSecret(id: string, withValue: boolean): Promise<Secret | undefined>;
  createSecret(name: string, value: string): Promise<Secret>;
  updateSecret(id: string, value: string): Promise<Secret>;
  deleteSecret(id: string): Promise<void>;
  checkSecrets(checkId: string): Promise<CheckSecret[]>;
  /** Replaces the secrets a check uses. */
  setCheckSecrets(
    checkId: string,
    secrets: { secret_id: string; env_variable: string }[],
  ): Promise<CheckSecret[]>;
  addCheckSecret(checkId: string, secretId: string, envVariable: string): Promise<CheckSecret[]>;
  removeCheckSecret(checkId: string, secretId: string): Promise<void>;
}
