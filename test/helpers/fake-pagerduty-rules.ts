/**
 * The fake PagerDuty API's notification rule endpoints: `/users/{id}/notification_rules` and
 * `/users/{id}/oncall_handoff_notification_rules` (list, create, get, update, delete). The server
 * (fake-pagerduty.ts) has already checked requests against the contract and answers 400 for bodies
 * that break it (a negative delay, a missing contact method).
 *
 * Assumptions where PagerDuty's behaviour is not written down:
 * - Each user has the one contact method the fake renders (`<user id>E`, email) and starts with the
 *   assignment rule it renders (`<user id>N`: that method, 0 minutes, high urgency); no handoff rules.
 * - A rule naming a contact method the user does not have is a 400 ("Contact method not found").
 * - GET .../notification_rules without `urgency` lists the high-urgency rules; `all` lists both.
 * - PUT replaces the rule's fields with those of the body.
 */

import { badRequest, type Handler, notFound, ok, type RouteContext } from './fake-pagerduty-routes.js';
import type { FakeAccount, SeedUser } from './fake-pagerduty-state.js';
import { API_BASE } from './fake-pagerduty-state.js';

type Json = Record<string, unknown>;

interface Rules {
  assignment: Map<string, Json[]>;
  handoff: Map<string, Json[]>;
}

const state = new WeakMap<FakeAccount, Rules>();

function rulesOf(a: FakeAccount, user: SeedUser, kind: keyof Rules): Json[] {
  let rules = state.get(a);
  if (!rules) {
    rules = { assignment: new Map(), handoff: new Map() };
    state.set(a, rules);
  }
  let list = rules[kind].get(user.id);
  if (!list) {
    list =
      kind === 'assignment'
        ? [{ id: `${user.id}N`, start_delay_in_minutes: 0, urgency: 'high', contact_method: `${user.id}E` }]
        : [];
    rules[kind].set(user.id, list);
  }
  return list;
}

function userOf({ account, params }: RouteContext): SeedUser {
  const user = account.users.get(params.id ?? '');
  if (!user) throw notFound();
  return user;
}

function method(user: SeedUser, id: string): Json {
  return {
    id,
    type: 'email_contact_method_reference',
    summary: 'Default',
    self: `${API_BASE}/users/${user.id}/contact_methods/${id}`,
    html_url: null,
  };
}

function renderRule(user: SeedUser, r: Json): Json {
  return {
    id: r.id,
    type: 'assignment_notification_rule',
    summary: `${r.start_delay_in_minutes} minutes: channel Default`,
    self: `${API_BASE}/users/${user.id}/notification_rules/${r.id}`,
    html_url: null,
    start_delay_in_minutes: r.start_delay_in_minutes,
    contact_method: method(user, String(r.contact_method)),
    urgency: r.urgency,
  };
}

function renderHandoff(user: SeedUser, r: Json): Json {
  return {
    id: r.id,
    notify_advance_in_minutes: r.notify_advance_in_minutes,
    handoff_type: r.handoff_type,
    contact_method: method(user, String(r.contact_method)),
  };
}

/** The contact method id a request body's rule names, which must be the user's. */
function methodId(user: SeedUser, rule: Json): string {
  const id = String((rule.contact_method as Json | undefined)?.id ?? '');
  if (id !== `${user.id}E`) throw badRequest('Contact method not found');
  return id;
}

function find(list: Json[], id: string | undefined): Json {
  const rule = list.find((r) => r.id === id);
  if (!rule) throw notFound();
  return rule;
}

/** Routes for one kind of rule: its collection, its body key and how it renders. */
function routesFor(
  kind: keyof Rules,
  collection: string,
  key: string,
  idParam: string,
  fields: readonly string[],
  render: (user: SeedUser, r: Json) => Json,
): Record<string, Handler> {
  const base = `/users/{id}/${collection}`;
  return {
    [`GET ${base}`]: (ctx) => {
      const user = userOf(ctx);
      const urgency = ctx.query.get('urgency') ?? 'high';
      const list = rulesOf(ctx.account, user, kind).filter(
        (r) => kind === 'handoff' || urgency === 'all' || r.urgency === urgency,
      );
      return ok({ [collection]: list.map((r) => render(user, r)) });
    },
    [`POST ${base}`]: (ctx) => {
      const user = userOf(ctx);
      const asked = (ctx.body as Json)[key] as Json;
      const rule: Json = { id: ctx.account.nextId(), contact_method: methodId(user, asked) };
      for (const f of fields) rule[f] = asked[f];
      if (kind === 'handoff') rule.handoff_type ??= 'both';
      rulesOf(ctx.account, user, kind).push(rule);
      return ok({ [key]: render(user, rule) }, 201);
    },
    [`GET ${base}/{${idParam}}`]: (ctx) => {
      const user = userOf(ctx);
      return ok({ [key]: render(user, find(rulesOf(ctx.account, user, kind), ctx.params[idParam])) });
    },
    [`PUT ${base}/{${idParam}}`]: (ctx) => {
      const user = userOf(ctx);
      const rule = find(rulesOf(ctx.account, user, kind), ctx.params[idParam]);
      const asked = (ctx.body as Json)[key] as Json;
      rule.contact_method = methodId(user, asked);
      for (const f of fields) if (asked[f] !== undefined) rule[f] = asked[f];
      return ok({ [key]: render(user, rule) });
    },
    [`DELETE ${base}/{${idParam}}`]: (ctx) => {
      const user = userOf(ctx);
      const list = rulesOf(ctx.account, user, kind);
      list.splice(list.indexOf(find(list, ctx.params[idParam])), 1);
      return { status: 204 };
    },
  };
}

export const RULE_ROUTES: Record<string, Handler> = {
  ...routesFor(
    'assignment',
    'notification_rules',
    'notification_rule',
    'notification_rule_id',
    ['start_delay_in_minutes', 'urgency'],
    renderRule,
  ),
  ...routesFor(
    'handoff',
    'oncall_handoff_notification_rules',
    'oncall_handoff_notification_rule',
    'oncall_handoff_notification_rule_id',
    ['notify_advance_in_minutes', 'handoff_type'],
    renderHandoff,
  ),
};
