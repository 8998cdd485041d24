/**
 * The fake Pingera API's check endpoints: checks and check groups (results, metrics and on-demand jobs
 * are in fake-pingera-results.ts). See fake-pingera-pages.ts for what the server has done before a
 * handler runs.
 *
 * Assumptions where Pingera's behaviour is not written down (the spec's operation descriptions are
 * followed where they say something: "ungrouped", comma-separated statuses, deletes that cascade, the
 * type that cannot change):
 * - Checks are listed by position, then creation, 20 a page. A check's `status` is `paused` when
 *   inactive, else its newest regular result's status, else `pending`. Defaults: interval 300 s,
 *   timeout 30 s. Pausing is PATCH `{active: false}`; there is no PUT (405).
 * - Creating (or executing) a check needs what Pingera's CLI checks: `url` for web/api, `host` for
 *   tcp/icmp/dns/portscan, `url` or `host` for ssl, `port` for tcp, `parameters.pw_script` for
 *   synthetic/multistep, and a timeout of at most 30 s except for portscan; else 422 on that field.
 *   A `group_id` or secret that does not exist is a 422 too.
 * - Deleting a check deletes its results, its alert rules and their alerts.
 * - Check groups are listed by position, then name, with `checks_count`; deleting one ungroups its checks.
 */
import {
  bodyOf,
  created,
  found,
  type Handler,
  invalid,
  iso,
  NO_CONTENT,
  notFound,
  ok,
  paginate,
  pick,
  type RouteContext,
} from './fake-pingera-kit.js';
import type { CheckGroupState, CheckState, CheckType } from './fake-pingera-model.js';
import type { PingeraAccount } from './fake-pingera-state.js';

type Json = Record<string, unknown>;

// ── rendering ───────────────────────────────────────────────────────────────────────────────────

function renderGroup(a: PingeraAccount, g: CheckGroupState, count = false): Json {
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    color: g.color,
    position: g.position,
    active: g.active,
    ...(count && { checks_count: [...a.checks.values()].filter((c) => c.groupId === g.id).length }),
    created_at: iso(g.createdAt),
    updated_at: iso(g.updatedAt),
  };
}

export function renderCheck(a: PingeraAccount, c: CheckState): Json {
  const group = c.groupId ? a.checkGroups.get(c.groupId) : undefined;
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    url: c.url,
    host: c.host,
    port: c.port,
    interval: c.interval,
    timeout: c.timeout,
    active: c.active,
    position: c.position,
    group_id: c.groupId,
    group: group ? renderGroup(a, group) : null,
    parameters: c.parameters,
    secrets: c.secrets,
    status: a.checkStatus(c),
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
    last_checked_at: iso(a.resultsOf(c.id)[0]?.createdAt),
  };
}

// ── checks ──────────────────────────────────────────────────────────────────────────────────────

export function checkOf(ctx: RouteContext): CheckState {
  return found(ctx.account.checks.get(ctx.params.check_id ?? ''), 'Check');
}

/** What Pingera's CLI requires of a check's target before it is saved or run. */
export function validateTarget(c: {
  type: string;
  url?: unknown;
  host?: unknown;
  port?: unknown;
  timeout?: unknown;
  parameters?: unknown;
}) {
  const { type } = c;
  if ((type === 'web' || type === 'api') && !c.url)
    throw invalid('url', `URL is required for ${type} checks.`);
  if (['tcp', 'icmp', 'dns', 'portscan'].includes(type) && !c.host) {
    throw invalid('host', `Host is required for ${type} checks.`);
  }
  if (type === 'ssl' && !c.url && !c.host) throw invalid('url', 'URL or host is required for ssl checks.');
  if (type === 'tcp' && !c.port) throw invalid('port', 'Port is required for tcp checks.');
  const params = (c.parameters ?? {}) as Json;
  if ((type === 'synthetic' || type === 'multistep') && typeof params.pw_script !== 'string') {
    throw invalid('parameters', `${type} checks need parameters.pw_script (a Playwright script).`);
  }
  if (typeof c.timeout === 'number' && c.timeout > 30 && type !== 'portscan') {
    throw invalid('timeout', 'Must be between 1 and 30 seconds for this check type.');
  }
}

function groupIdOf(a: PingeraAccount, value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (!a.checkGroups.has(value)) throw invalid('group_id', 'Check group not found.');
  return value;
}

export function secretsOf(a: PingeraAccount, value: unknown): { secret_id: string; env_variable: string }[] {
  const list = Array.isArray(value) ? (value as { secret_id: string; env_variable: string }[]) : [];
  const names = new Set<string>();
  for (const s of list) {
    if (!a.secrets.has(s.secret_id)) throw invalid('secrets', `Secret ${s.secret_id} not found.`);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(s.env_variable)) {
      throw invalid('secrets', `Invalid environment variable name: ${s.env_variable}.`);
    }
    if (names.has(s.env_variable))
      throw invalid('secrets', `Duplicate environment variable: ${s.env_variable}.`);
    names.add(s.env_variable);
  }
  return list.map((s) => ({ secret_id: s.secret_id, env_variable: s.env_variable }));
}

const CHECK_FIELDS = [
  'name',
  'url',
  'host',
  'port',
  'interval',
  'timeout',
  'active',
  'position',
  'parameters',
] as const;

function applyCheck(a: PingeraAccount, c: CheckState, b: Json, now: number): void {
  for (const k of CHECK_FIELDS) {
    if (k in b) (c as unknown as Json)[k] = b[k];
  }
  if ('group_id' in b) c.groupId = groupIdOf(a, b.group_id);
  if ('secrets' in b) c.secrets = secretsOf(a, b.secrets);
  c.updatedAt = now;
}

function matchesStatus(a: PingeraAccount, c: CheckState, wanted: string | null): boolean {
  if (!wanted) return true;
  return wanted
    .split(',')
    .map((s) => s.trim())
    .includes(a.checkStatus(c));
}

function listChecks(ctx: RouteContext, groupId?: string): ReturnType<Handler> {
  const a = ctx.account;
  const q = ctx.query;
  const group = groupId ?? q.get('group_id');
  const name = q.get('name')?.toLowerCase();
  const type = q.get('type');
  const list = [...a.checks.values()]
    .filter(
      (c) =>
        (!group || (group === 'ungrouped' ? c.groupId === null : c.groupId === group)) &&
        (!name || c.name.toLowerCase().includes(name)) &&
        (!type || c.type === type) &&
        matchesStatus(a, c, q.get('status')),
    )
    .sort((x, y) => x.position - y.position || x.createdAt - y.createdAt);
  return paginate(q, 'checks', list, (c) => renderCheck(a, c));
}

const checks: Record<string, Handler> = {
  'GET /v1/checks': (ctx) => listChecks(ctx),
  'POST /v1/checks': (ctx) => {
    const a = ctx.account;
    const b = bodyOf(ctx);
    validateTarget({ ...b, type: String(b.type) });
    const c: CheckState = {
      id: a.ids.next('ck'),
      name: String(b.name),
      type: b.type as CheckType,
      url: null,
      host: null,
      port: null,
      interval: 300,
      timeout: 30,
      active: true,
      position: a.checks.size,
      groupId: null,
      parameters: {},
      createdAt: ctx.now,
      updatedAt: ctx.now,
      secrets: [],
    };
    applyCheck(a, c, b, ctx.now);
    a.checks.set(c.id, c);
    return created(renderCheck(a, c));
  },
  'GET /v1/checks/{check_id}': (ctx) => ok(renderCheck(ctx.account, checkOf(ctx))),
  'PATCH /v1/checks/{check_id}': (ctx) => {
    const c = checkOf(ctx);
    const b = bodyOf(ctx);
    if (typeof b.type === 'string' && b.type !== c.type) {
      throw invalid('type', 'The type of a check cannot be changed after creation.');
    }
    validateTarget({ ...renderCheck(ctx.account, c), ...b, type: c.type });
    applyCheck(ctx.account, c, b, ctx.now);
    return ok(renderCheck(ctx.account, c));
  },
  'DELETE /v1/checks/{check_id}': (ctx) => {
    const a = ctx.account;
    const c = checkOf(ctx);
    a.checks.delete(c.id);
    for (let i = a.results.length - 1; i >= 0; i--)
      if (a.results[i]?.checkId === c.id) a.results.splice(i, 1);
    for (const r of [...a.rules.values()]) if (r.checkId === c.id) a.rules.delete(r.id);
    for (const al of [...a.alerts.values()]) if (al.checkId === c.id) a.alerts.delete(al.id);
    return NO_CONTENT;
  },
  'PATCH /v1/checks/{check_id}/group': (ctx) => {
    const c = checkOf(ctx);
    const wanted = bodyOf(ctx).group_id;
    if (typeof wanted === 'string' && !ctx.account.checkGroups.has(wanted)) throw notFound('Check group');
    c.groupId = typeof wanted === 'string' ? wanted : null;
    c.updatedAt = ctx.now;
    const message = c.groupId
      ? 'Check assigned to group successfully'
      : 'Check removed from group successfully';
    return ok({ message, check_id: c.id, group_id: c.groupId });
  },
};

// ── check groups ────────────────────────────────────────────────────────────────────────────────

const GROUP_FIELDS = ['name', 'description', 'color', 'position', 'active'];

function groupOf(ctx: RouteContext): CheckGroupState {
  return found(ctx.account.checkGroups.get(ctx.params.group_id ?? ''), 'Check group');
}

const groups: Record<string, Handler> = {
  'GET /v1/check-groups': (ctx) => {
    const list = [...ctx.account.checkGroups.values()].sort(
      (x, y) => x.position - y.position || x.name.localeCompare(y.name),
    );
    return paginate(ctx.query, 'groups', list, (g) => renderGroup(ctx.account, g, true));
  },
  'POST /v1/check-groups': (ctx) => {
    const a = ctx.account;
    const b = pick(bodyOf(ctx), GROUP_FIELDS);
    const g: CheckGroupState = {
      id: a.ids.next('cg'),
      name: String(b.name),
      description: typeof b.description === 'string' ? b.description : null,
      color: typeof b.color === 'string' ? b.color : null,
      position: typeof b.position === 'number' ? b.position : a.checkGroups.size,
      active: b.active !== false,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    a.checkGroups.set(g.id, g);
    return created(renderGroup(a, g, true));
  },
  'GET /v1/check-groups/{group_id}': (ctx) => ok(renderGroup(ctx.account, groupOf(ctx), true)),
  'PATCH /v1/check-groups/{group_id}': (ctx) => {
    const g = groupOf(ctx);
    Object.assign(g, pick(bodyOf(ctx), GROUP_FIELDS), { updatedAt: ctx.now });
    return ok(renderGroup(ctx.account, g, true));
  },
  'DELETE /v1/check-groups/{group_id}': (ctx) => {
    const g = groupOf(ctx);
    ctx.account.checkGroups.delete(g.id);
    for (const c of ctx.account.checks.values()) if (c.groupId === g.id) c.groupId = null;
    return NO_CONTENT;
  },
  'GET /v1/check-groups/{group_id}/checks': (ctx) => listChecks(ctx, groupOf(ctx).id),
};

/** Checks and check groups. */
export const CHECK_ROUTES: Record<string, Handler> = { ...checks, ...groups };
