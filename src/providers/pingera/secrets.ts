/**
 * The secrets port on Pingera: organisation secrets at `/v1/secrets` and the secrets a check uses
 * at `/v1/checks/{id}/secrets`.
 *
 * Both are `x-inferred` in the API description (from pingera-sdk 1.0.15's models and the CLI;
 * the path spellings from the SDK's method names). Assumed here, as the description has them:
 * secrets are listed with `page`/`page_size` under `secrets` without their values; one secret's
 * GET carries `secret_value`; PATCH takes only `{secret_value}`; a check's secrets are a bare
 * array of `{secret_id, env_variable, secret: {secret_name}}`, replaced whole by PUT, added one at
 * a time by POST and removed by DELETE `…/secrets/{secret_id}`.
 */
import type { Page } from '../../core/directory.js';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import type { CheckSecret, Secret, SecretsPort } from '../../core/secrets.js';
import type { PingeraClient } from './client.js';
import { arr, isNotFound, isoOr, obj, orNotFound, record, seg, str } from './raw.js';

export class PingeraSecrets implements SecretsPort {
  constructor(private readonly client: PingeraClient) {}

  async listSecrets(limit: number, offset: number): Promise<Page<Secret>> {
    const listed = await this.client.list('/v1/secrets', 'secrets', {}, 'page_size', limit, offset);
    return { items: listed.items.map((s) => toSecret(s, false)), more: listed.more };
  }

  async getSecret(id: string, withValue: boolean): Promise<Secret | undefined> {
    const raw = await this.client.find(`/v1/secrets/${seg(id)}`);
    return raw === undefined ? undefined : toSecret(raw, withValue);
  }

  async createSecret(name: string, value: string): Promise<Secret> {
    const body = { secret_name: name, secret_value: value };
    return toSecret(await this.client.send('POST', '/v1/secrets', body), false);
  }

  async updateSecret(id: string, value: string): Promise<Secret> {
    const path = `/v1/secrets/${seg(id)}`;
    const raw = await orNotFound(
      this.client.send('PATCH', path, { secret_value: value }),
      'secret',
      id,
      'secret_id',
    );
    return toSecret(raw, false);
  }

  async deleteSecret(id: string): Promise<void> {
    await orNotFound(this.client.send('DELETE', `/v1/secrets/${seg(id)}`), 'secret', id, 'secret_id');
  }

  async checkSecrets(checkId: string): Promise<CheckSecret[]> {
    const body = await orNotFound(
      this.client.get(`/v1/checks/${seg(checkId)}/secrets`),
      'check',
      checkId,
      'check_id',
    );
    // A bare array, as the description has it; `{secrets: [...]}` is read too.
    const rows = Array.isArray(body) ? body : arr(obj(body)?.secrets);
    return rows.flatMap((v) => {
      const r = obj(v);
      const secretId = str(r?.secret_id);
      if (!r || !secretId) return [];
      return [
        {
          secret_id: secretId,
          env_variable: str(r.env_variable) ?? '',
          secret: { secret_name: str(obj(r.secret)?.secret_name) ?? str(r.secret_name) ?? '' },
        },
      ];
    });
  }

  async setCheckSecrets(
    checkId: string,
    secrets: { secret_id: string; env_variable: string }[],
  ): Promise<CheckSecret[]> {
    const names = secrets.map((s) => s.env_variable);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) throw new ValidationError(`env_variable '${twice}' is given twice.`, { parameter: 'secrets' });
    const body = secrets.map((s) => ({ secret_id: s.secret_id, env_variable: s.env_variable }));
    await this.onCheck(checkId, this.client.send('PUT', `/v1/checks/${seg(checkId)}/secrets`, body), () => {
      throw new NotFoundError('secret', secrets.map((s) => s.secret_id).join(', '), 'secrets');
    });
    // Read back for the secrets' names, which a write's answer may not carry.
    return this.checkSecrets(checkId);
  }

  /**
   * As the embedded engine does: a variable name another secret of the check has is a conflict,
   * and a secret the check already has is given the new name (the list replaced by PUT); any
   * other is added with POST.
   */
  async addCheckSecret(checkId: string, secretId: string, envVariable: string): Promise<CheckSecret[]> {
    const current = await this.checkSecrets(checkId);
    if (current.some((s) => s.env_variable === envVariable && s.secret_id !== secretId)) {
      throw new ConflictError(`The check already has a secret as ${envVariable}.`, {
        parameter: 'env_var_name',
      });
    }
    if (current.some((s) => s.secret_id === secretId)) {
      return this.setCheckSecrets(
        checkId,
        current.map((s) => ({
          secret_id: s.secret_id,
          env_variable: s.secret_id === secretId ? envVariable : s.env_variable,
        })),
      );
    }
    const body = { secret_id: secretId, env_variable: envVariable };
    await this.onCheck(checkId, this.client.send('POST', `/v1/checks/${seg(checkId)}/secrets`, body), () => {
      throw new NotFoundError('secret', secretId, 'secret_id');
    });
    return this.checkSecrets(checkId);
  }

  async removeCheckSecret(checkId: string, secretId: string): Promise<void> {
    const path = `/v1/checks/${seg(checkId)}/secrets/${seg(secretId)}`;
    await this.onCheck(checkId, this.client.send('DELETE', path), () => {
      throw new NotFoundError('secret on this check', secretId, 'secret_id');
    });
  }

  /**
   * A write on a check's secrets; its 404 is the check's when the check is missing, else what
   * `otherwise` says is missing.
   */
  private async onCheck(checkId: string, request: Promise<unknown>, otherwise: () => never): Promise<void> {
    try {
      await request;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      if (!(await this.client.find(`/v1/checks/${seg(checkId)}`))) {
        throw new NotFoundError('check', checkId, 'check_id');
      }
      otherwise();
    }
  }
}

/** A SecretListItem; the value only when asked for (lists never carry it). */
function toSecret(v: unknown, withValue: boolean): Secret {
  const r = record(v, 'a secret');
  const value = str(r.secret_value);
  return {
    id: r.id,
    secret_name: str(r.secret_name) ?? '',
    ...(withValue && value !== undefined && { secret_value: value }),
    created_at: isoOr(r.created_at, r.updated_at),
    updated_at: isoOr(r.updated_at, r.created_at),
  };
}
