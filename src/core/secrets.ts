/**
 * Secrets for checks: values stored encrypted, given to a check's requests as `{{NAME}}`
 * variables, never shown in lists. Field names follow Pingera's (`secret_name`, `secret_value`,
 * `env_variable`).
 */
import type { Page } from './directory.js';

export interface Secret {
  id: string;
  secret_name: string;
  /** Only in get_secret_details, and only for a caller allowed to write. */
  secret_value?: string;
  created_at: string;
  updated_at: string;
}

export interface CheckSecret {
  secret_id: string;
  env_variable: string;
  secret: { secret_name: string };
}

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
