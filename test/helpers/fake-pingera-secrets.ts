/**
 * The fake Pingera API's secrets and check secrets (both `x-inferred` in the spec: their paths were
 * guessed from SDK 1.0.15 method names). See fake-pingera-pages.ts for what the server has done before
 * a handler runs.
 *
 * Assumptions where Pingera's behaviour is not written down:
 * - Secrets list 20 a page, oldest first, never with `secret_value`; GET of one has it; the answers of
 *   POST and PATCH do not. Deleting a secret detaches it from checks.
 * - A check's secrets are `{secret_id, env_variable, secret: {id, secret_name}}`; env_variable must be
 *   an identifier and unique on the check (422); attaching a secret twice replaces its env_variable;
 *   PUT replaces them all; DELETE of one not attached is a 404.
 */
import { checkOf, secretsOf } from './fake-pingera-checks.js';
import {
  bodyOf,
  created,
  found,
  type Handler,
  iso,
  NO_CONTENT,
  notFound,
  ok,
  paginate,
  type RouteContext,
} from './fake-pingera-kit.js';
import type { CheckState, SecretState } from './fake-pingera-model.js';
import type { PingeraAccount } from './fake-pingera-state.js';

type Json = Record<string, unknown>;

function renderSecret(s: SecretState, withValue = false): Json {
  return {
    id: s.id,
    secret_name: s.name,
    ...(withValue && { secret_value: s.value }),
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
    created_by: s.createdBy,
    updated_by: s.updatedBy,
  };
}

function secretOf(ctx: RouteContext): SecretState {
  return found(ctx.account.secrets.get(ctx.params.secret_id ?? ''), 'Secret');
}

function renderCheckSecrets(a: PingeraAccount, c: CheckState): Json[] {
  return c.secrets.map((s) => ({
    secret_id: s.secret_id,
    env_variable: s.env_variable,
    secret: { id: s.secret_id, secret_name: a.secrets.get(s.secret_id)?.name ?? null },
  }));
}

const secrets: Record<string, Handler> = {
  'GET /v1/secrets': (ctx) => {
    const list = [...ctx.account.secrets.values()].sort((x, y) => x.createdAt - y.createdAt);
    return paginate(ctx.query, 'secrets', list, (s) => renderSecret(s));
  },
  'POST /v1/secrets': (ctx) => {
    const b = bodyOf(ctx);
    const s: SecretState = {
      id: ctx.account.ids.next('sc'),
      name: String(b.secret_name),
      value: String(b.secret_value),
      createdAt: ctx.now,
      updatedAt: ctx.now,
      createdBy: ctx.account.userId,
      updatedBy: ctx.account.userId,
    };
    ctx.account.secrets.set(s.id, s);
    return created(renderSecret(s));
  },
  'GET /v1/secrets/{secret_id}': (ctx) => ok(renderSecret(secretOf(ctx), true)),
  'PATCH /v1/secrets/{secret_id}': (ctx) => {
    const s = secretOf(ctx);
    s.value = String(bodyOf(ctx).secret_value);
    s.updatedAt = ctx.now;
    s.updatedBy = ctx.account.userId;
    return ok(renderSecret(s));
  },
  'DELETE /v1/secrets/{secret_id}': (ctx) => {
    const s = secretOf(ctx);
    ctx.account.secrets.delete(s.id);
    for (const c of ctx.account.checks.values()) c.secrets = c.secrets.filter((x) => x.secret_id !== s.id);
    return NO_CONTENT;
  },
  'GET /v1/checks/{check_id}/secrets': (ctx) => ok(renderCheckSecrets(ctx.account, checkOf(ctx))),
  'POST /v1/checks/{check_id}/secrets': (ctx) => {
    const a = ctx.account;
    const c = checkOf(ctx);
    const b = bodyOf(ctx);
    if (!a.secrets.has(String(b.secret_id))) throw notFound('Secret');
    const others = c.secrets.filter((s) => s.secret_id !== b.secret_id);
    c.secrets = secretsOf(a, [...others, { secret_id: b.secret_id, env_variable: b.env_variable }]);
    c.updatedAt = ctx.now;
    return created(renderCheckSecrets(a, c).find((s) => s.secret_id === b.secret_id));
  },
  'PUT /v1/checks/{check_id}/secrets': (ctx) => {
    const c = checkOf(ctx);
    c.secrets = secretsOf(ctx.account, ctx.body);
    c.updatedAt = ctx.now;
    return ok(renderCheckSecrets(ctx.account, c));
  },
  'DELETE /v1/checks/{check_id}/secrets/{secret_id}': (ctx) => {
    const c = checkOf(ctx);
    if (!c.secrets.some((s) => s.secret_id === ctx.params.secret_id)) throw notFound('Check secret');
    c.secrets = c.secrets.filter((s) => s.secret_id !== ctx.params.secret_id);
    c.updatedAt = ctx.now;
    return NO_CONTENT;
  },
};

/** Secrets and the secrets of checks. */
export const SECRET_ROUTES: Record<string, Handler> = secrets;
