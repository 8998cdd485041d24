/**
 * Checks HTTP requests (and, for fakes, responses) against PagerDuty's OpenAPI 3.0 document, so that
 * the PagerDuty provider's tests fail when it sends a path, parameter, header or body the real API
 * does not declare, and so that the fake it is tested against answers in the real API's shapes.
 *
 * The spec (2.7 MB) is parsed once per path; body validators are compiled per operation on first use.
 *
 * What is assumed where the spec is loose or wrong (each is a choice made here, not PagerDuty's word):
 * - `Content-Type` is declared required on every operation, GETs included; it is checked only when a
 *   request has a body (clients do not send it on GET, and PagerDuty does not ask for it there).
 * - `Accept` has only a default in the spec; it is checked to name `application/vnd.pagerduty+json;version=2`,
 *   the versioning header PagerDuty documents.
 * - Query parameters whose name ends in `[]` or whose schema is an array may repeat; others may not.
 * - `readOnly` properties are not required in requests, nor `writeOnly` ones in responses, when the
 *   property and the `required` list sit in the same schema object (the spec often splits them across
 *   `allOf`, where this cannot be seen; those stay required).
 * - OpenAPI 3.0 ignores siblings of `$ref`; a `nullable: true` beside a `$ref` is honoured anyway.
 * - When a 2xx status is not declared but the operation declares exactly one 2xx response, that one
 *   is used (the spec declares `201` for GET /schedules/{id}/overrides, which answers 200).
 * - In responses, a property that its object does not list as `required` may be `null`: PagerDuty sends
 *   `null` for unset optional fields (description, incident_key, priority, resolve_reason, job_title,
 *   resolved_at, an on-call's start/end/schedule… — see the recorded fixtures) that the spec rarely
 *   marks `nullable`.
 * - ERRATA below replaces the schemas the spec contradicts (with its own examples or descriptions, or
 *   with what PagerDuty sends), and PARAMETER_ERRATA the parameter values it forgets to declare.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/** PagerDuty's REST API description (api-schema @ 91a06fb), kept in the repository beside its fixtures. */
export const PAGERDUTY_SPEC = fileURLToPath(new URL('../contracts/pagerduty-openapi.json', import.meta.url));
export const PAGERDUTY_ACCEPT = 'application/vnd.pagerduty+json;version=2';

export interface RecordedRequest {
  method: string;
  /** Path relative to the API base, without the query string, e.g. `/incidents/PT4KHLK`. */
  path: string;
  query: URLSearchParams;
  /** Header names in any case; node's lower-cased `IncomingMessage.headers` fit as they are. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or `undefined` when the request had none. */
  body: unknown;
}

export interface OperationMatch {
  /** The spec's path template, e.g. `/incidents/{id}`. */
  template: string;
  method: string;
  pathParams: Record<string, string>;
  /** The operation's parameters (path-level and operation-level, `$ref`s resolved). */
  parameters: Parameter[];
}

export interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Record<string, unknown>;
}

/** What part of a request broke the contract; a fake answers `query-value` and `body` with 400. */
export type ViolationKind = 'route' | 'query' | 'query-value' | 'header' | 'body';

export interface Violation {
  kind: ViolationKind;
  message: string;
}

export interface ContractChecker {
  /** Violations of the spec by a request; empty when it conforms. */
  check(req: RecordedRequest): string[];
  /** The same, with what part of the request each one concerns. */
  violations(req: RecordedRequest): Violation[];
  /** Violations of the spec by a JSON response body for the given request line and status. */
  checkResponse(method: string, path: string, status: number, body: unknown): string[];
  /** The spec operation a request line maps to, if any. */
  match(method: string, path: string): OperationMatch | undefined;
}

/**
 * Schemas replaced where the spec contradicts itself, by pointer and mode.
 * - IncidentBody.details: typed `object`, yet the spec's own POST /incidents example sends a string,
 *   as PagerDuty accepts.
 */
const ERRATA: Record<Mode, Record<string, Json | ((original: Json) => Json)>> = {
  request: {
    '/components/schemas/IncidentBody/properties/details': {
      type: ['object', 'string'],
      description: 'Additional incident details.',
    },
  },
  response: {
    // AcknowledgeLogEntry narrows `type` to "acknowledgement_log_entry", which its base LogEntry's enum
    // does not allow, so nothing could match; PagerDuty sends "acknowledge_log_entry".
    '/components/schemas/AcknowledgeLogEntry/allOf/1/properties/type': {
      type: 'string',
      enum: ['acknowledge_log_entry'],
    },
    // PagerDuty returns full objects in place of these references when `include[]` names them (the
    // include[] parameters say so); the spec types only the reference.
    '/components/schemas/User/allOf/1/properties/teams/items': refOrFull('TeamReference', 'Team'),
    '/components/schemas/User/allOf/1/properties/contact_methods/items': refOrFull(
      'ContactMethodReference',
      'ContactMethod',
    ),
    '/components/schemas/User/allOf/1/properties/notification_rules/items': refOrFull(
      'NotificationRuleReference',
      'NotificationRule',
    ),
    '/components/schemas/Service/allOf/1/properties/escalation_policy': refOrFull(
      'EscalationPolicyReference',
      'EscalationPolicy',
    ),
    '/components/schemas/Service/allOf/1/properties/teams/items': refOrFull('TeamReference', 'Team'),
    '/components/schemas/EscalationPolicy/allOf/1/properties/services/items': refOrFull(
      'ServiceReference',
      'Service',
    ),
    '/components/schemas/EscalationPolicy/allOf/1/properties/teams/items': refOrFull('TeamReference', 'Team'),
    '/components/schemas/EscalationRule/properties/targets/items': {
      anyOf: ['EscalationTargetReference', 'User', 'Schedule'].map((n) => ({
        $ref: `#/components/schemas/${n}`,
      })),
    },
    '/paths/~1teams~1{id}~1members/get/responses/200/content/application~1json/schema/allOf/1/properties/members/items/properties/user':
      refOrFull('UserReference', 'User'),
    // Channel's `oneOf` branches differ only in descriptions ("Will be `api`"), so any channel matches
    // several and none passes `oneOf`; read it as `anyOf`.
    '/components/schemas/Channel': ({ oneOf, ...rest }) => ({ ...rest, anyOf: oneOf }),
    '/components/schemas/Oncall/properties/user': refOrFull('UserReference', 'User'),
    '/components/schemas/Oncall/properties/escalation_policy': refOrFull(
      'EscalationPolicyReference',
      'EscalationPolicy',
    ),
    // `null` for a permanent on-call from a direct user target (the description says so).
    '/components/schemas/Oncall/properties/schedule': {
      anyOf: [...refOrFull('ScheduleReference', 'Schedule').anyOf, { type: 'null' }],
    },
  },
};

/**
 * Query parameter values PagerDuty accepts that the spec does not declare, by `method template`.
 * - GET /incidents/{id} include[]=body: the Incident schema says `body` is "only returned if the
 *   `include[]=body` query parameter is provided", but include_incident's enum lacks `body`.
 */
const PARAMETER_ERRATA: Record<string, Record<string, string[]>> = {
  'get /incidents/{id}': { 'include[]': ['body'] },
};

function refOrFull(reference: string, full: string): { anyOf: Json[] } {
  return { anyOf: [{ $ref: `#/components/schemas/${reference}` }, { $ref: `#/components/schemas/${full}` }] };
}

type Json = Record<string, unknown>;
type Mode = 'request' | 'response';

interface Operation {
  template: string;
  method: string;
  /** Pointer to the operation object in the spec, for compiling body schemas by `$ref`. */
  pointer: string;
  params: Parameter[];
  raw: Json;
}

interface Route {
  template: string;
  regex: RegExp;
  names: string[];
  literals: number;
}

const cache = new Map<string, ContractChecker>();

export function contractChecker(specPath: string = PAGERDUTY_SPEC): ContractChecker {
  let checker = cache.get(specPath);
  if (!checker) {
    checker = buildChecker(JSON.parse(readFileSync(specPath, 'utf8')) as Json);
    cache.set(specPath, checker);
  }
  return checker;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pointerGet(doc: Json, pointer: string): unknown {
  let cur: unknown = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(cur) && !Array.isArray(cur)) return undefined;
    cur = (cur as Json)[key];
  }
  return cur;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function buildChecker(spec: Json): ContractChecker {
  const paths = (spec.paths ?? {}) as Record<string, Json>;
  const routes: Route[] = Object.keys(paths).map((template) => {
    const names: string[] = [];
    const segments = template.split('/').map((seg) =>
      seg.replace(/\{([^}]+)\}|[^{]+/g, (m, name: string | undefined) => {
        if (name) {
          names.push(name);
          return '([^/]+)';
        }
        return m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }),
    );
    const literals = template.split('/').filter((s) => s && !s.includes('{')).length;
    return { template, regex: new RegExp(`^${segments.join('/')}$`), names, literals };
  });
  // Literal segments win over templates: `/users/me` before `/users/{id}`.
  routes.sort((a, b) => b.literals - a.literals || a.names.length - b.names.length);

  const resolveParam = (p: unknown): Parameter | undefined => {
    if (!isObject(p)) return undefined;
    if (typeof p.$ref === 'string') return resolveParam(pointerGet(spec, p.$ref.slice(1)));
    return p as unknown as Parameter;
  };

  const operation = (template: string, method: string): Operation | undefined => {
    const item = paths[template];
    const raw = item?.[method];
    if (!item || !isObject(raw)) return undefined;
    const pathLevel = Array.isArray(item.parameters) ? item.parameters : [];
    const opLevel = Array.isArray(raw.parameters) ? raw.parameters : [];
    const byKey = new Map<string, Parameter>();
    // Operation-level parameters override path-level ones with the same name and location.
    for (const p of [...pathLevel, ...opLevel].map(resolveParam)) {
      if (p) byKey.set(`${p.in}:${p.name}`, p);
    }
    for (const [name, extra] of Object.entries(PARAMETER_ERRATA[`${method} ${template}`] ?? {})) {
      const p = byKey.get(`query:${name}`);
      if (p?.schema && Array.isArray(p.schema.enum)) {
        byKey.set(`query:${name}`, { ...p, schema: { ...p.schema, enum: [...p.schema.enum, ...extra] } });
      }
    }
    const pointer = `/paths/${escapePointer(template)}/${method}`;
    return { template, method, pointer, params: [...byKey.values()], raw };
  };

  const match = (method: string, path: string): OperationMatch | undefined => {
    const m = method.toLowerCase();
    for (const route of routes) {
      const hit = route.regex.exec(path);
      if (!hit) continue;
      if (!isObject(paths[route.template]?.[m])) continue;
      const pathParams: Record<string, string> = {};
      route.names.forEach((name, i) => {
        pathParams[name] = decodeURIComponent(hit[i + 1] ?? '');
      });
      return {
        template: route.template,
        method: m,
        pathParams,
        parameters: operation(route.template, m)?.params ?? [],
      };
    }
    return undefined;
  };

  const ajv = {
    request: newAjv(),
    response: newAjv(),
  };
  ajv.request.addSchema(openApiToJsonSchema(spec, 'request'), 'request');
  ajv.response.addSchema(openApiToJsonSchema(spec, 'response'), 'response');
  const validators = new Map<string, ValidateFunction | null>();
  const validator = (mode: Mode, pointer: string): ValidateFunction | null => {
    const key = `${mode}#${pointer}`;
    let v = validators.get(key);
    if (v === undefined) {
      const ref = `${mode}#${pointer.split('/').map(encodeURIComponent).join('/')}`;
      v = pointerGet(spec, pointer) === undefined ? null : ajv[mode].compile({ $ref: ref });
      validators.set(key, v);
    }
    return v;
  };

  const violations = (req: RecordedRequest): Violation[] => {
    const line = `${req.method.toUpperCase()} ${req.path}`;
    const hit = match(req.method, req.path);
    const op = hit && operation(hit.template, hit.method);
    if (!op) {
      const anyMethod = routes.find((r) => r.regex.test(req.path));
      const message = anyMethod
        ? `${line}: method not declared for ${anyMethod.template}`
        : `${line}: path matches no path in the spec`;
      return [{ kind: 'route', message }];
    }
    const where = `${req.method.toUpperCase()} ${op.template}`;
    return [
      ...checkQuery(where, op, req.query),
      ...checkHeaders(where, op, req).map((message) => ({ kind: 'header' as const, message })),
      ...checkBody(where, op, req.body, validator).map((message) => ({ kind: 'body' as const, message })),
    ];
  };
  const check = (req: RecordedRequest): string[] => violations(req).map((v) => v.message);

  const checkResponse = (method: string, path: string, status: number, body: unknown): string[] => {
    const hit = match(method, path);
    if (!hit) return [`${method.toUpperCase()} ${path}: path matches no path in the spec`];
    const op = operation(hit.template, hit.method);
    const responses = (op?.raw.responses ?? {}) as Json;
    const where = `${method.toUpperCase()} ${hit.template} → ${status}`;
    let code = String(status);
    if (!(code in responses)) {
      const twoXX = Object.keys(responses).filter((c) => c.startsWith('2'));
      const onlyTwoXX = status >= 200 && status < 300 && twoXX.length === 1 ? twoXX[0] : undefined;
      const fallback = [`${code[0]}XX`, onlyTwoXX, 'default'].find((c) => c !== undefined && c in responses);
      if (!fallback)
        return [`${where}: status not declared (declared: ${Object.keys(responses).join(', ')})`];
      code = fallback;
    }
    const schemaPointer = resolveResponse(spec, `${op?.pointer}/responses/${code}`);
    if (!schemaPointer) return [];
    const v = validator('response', schemaPointer);
    if (!v || v(body)) return [];
    return formatErrors(`${where}: response body`, v.errors);
  };

  return { check, violations, checkResponse, match };
}

/** Pointer to the JSON schema of a response, following a `$ref` on the response object itself. */
function resolveResponse(spec: Json, pointer: string): string | undefined {
  const res = pointerGet(spec, pointer);
  if (!isObject(res)) return undefined;
  if (typeof res.$ref === 'string') return resolveResponse(spec, res.$ref.slice(1));
  const schemaPointer = `${pointer}/content/application~1json/schema`;
  return pointerGet(spec, schemaPointer) === undefined ? undefined : schemaPointer;
}

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
  // Formats the provider's data depends on; other formats (url, tzinfo…) are not checked.
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/i);
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+$/);
  return ajv;
}

function checkQuery(where: string, op: Operation, query: URLSearchParams): Violation[] {
  const out: Violation[] = [];
  const push = (kind: ViolationKind, message: string) => out.push({ kind, message });
  const declared = new Map(op.params.filter((p) => p.in === 'query').map((p) => [p.name, p]));
  for (const name of new Set(query.keys())) {
    const param = declared.get(name);
    if (!param) {
      const hint = declared.has(`${name}[]`) ? ` (did you mean '${name}[]'?)` : '';
      const names = [...declared.keys()].join(', ') || 'none';
      push('query', `${where}: query parameter '${name}' is not declared${hint}; declared: ${names}`);
      continue;
    }
    const values = query.getAll(name);
    const schema = param.schema ?? {};
    const isArray = schema.type === 'array' || name.endsWith('[]');
    if (!isArray && values.length > 1) {
      push('query-value', `${where}: query parameter '${name}' given ${values.length} times`);
    }
    const itemSchema = (schema.type === 'array' && isObject(schema.items) ? schema.items : schema) as Json;
    for (const value of values) {
      const problem = scalarProblem(value, itemSchema);
      if (problem)
        push('query-value', `${where}: query parameter '${name}'=${JSON.stringify(value)} ${problem}`);
    }
  }
  for (const p of declared.values()) {
    if (p.required && !query.has(p.name))
      push('query-value', `${where}: required query parameter '${p.name}' missing`);
  }
  return out;
}

/** Why a query or header string does not fit a scalar schema, or undefined when it does. */
function scalarProblem(value: string, schema: Json): string | undefined {
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    return `is not one of ${schema.enum.join(', ')}`;
  }
  const { type } = schema;
  if (type === 'integer' && !/^-?\d+$/.test(value)) return 'is not an integer';
  if (type === 'number' && !Number.isFinite(Number(value))) return 'is not a number';
  if (type === 'boolean' && value !== 'true' && value !== 'false') return 'is not true or false';
  if (type === 'integer' || type === 'number') {
    const n = Number(value);
    if (typeof schema.minimum === 'number' && n < schema.minimum) return `is below ${schema.minimum}`;
    if (typeof schema.maximum === 'number' && n > schema.maximum) return `is above ${schema.maximum}`;
  }
  return undefined;
}

function header(headers: RecordedRequest['headers'], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === lower) return Array.isArray(v) ? v.join(', ') : v;
  }
  return undefined;
}

function checkHeaders(where: string, op: Operation, req: RecordedRequest): string[] {
  const out: string[] = [];
  const hasBody = req.body !== undefined;
  for (const p of op.params.filter((q) => q.in === 'header')) {
    const name = p.name.toLowerCase();
    const value = header(req.headers, p.name);
    if (name === 'content-type' && !hasBody) continue;
    if (value === undefined || value === '') {
      if (p.required) out.push(`${where}: required header '${p.name}' missing`);
      continue;
    }
    if (name === 'accept') {
      const media = value.split(',').map((m) => m.replace(/\s+/g, ''));
      if (!media.includes(PAGERDUTY_ACCEPT)) out.push(`${where}: header 'Accept' is not ${PAGERDUTY_ACCEPT}`);
      continue;
    }
    // Media types are compared without their parameters (`application/json; charset=utf-8`).
    const compared = name === 'content-type' ? (value.split(';')[0] ?? '').trim() : value;
    const problem = scalarProblem(compared, p.schema ?? {});
    if (problem) out.push(`${where}: header '${p.name}'=${JSON.stringify(value)} ${problem}`);
    if (p.schema?.format === 'email' && !/^[^\s@]+@[^\s@]+$/.test(value)) {
      out.push(`${where}: header '${p.name}'=${JSON.stringify(value)} is not an email address`);
    }
  }
  return out;
}

function checkBody(
  where: string,
  op: Operation,
  body: unknown,
  validator: (mode: Mode, pointer: string) => ValidateFunction | null,
): string[] {
  const requestBody = op.raw.requestBody as Json | undefined;
  if (!requestBody) return body === undefined ? [] : [`${where}: the operation takes no request body`];
  if (body === undefined) return requestBody.required ? [`${where}: required request body missing`] : [];
  const v = validator('request', `${op.pointer}/requestBody/content/application~1json/schema`);
  if (!v) return [`${where}: the operation declares no JSON request body`];
  return v(body) ? [] : formatErrors(`${where}: request body`, v.errors);
}

function formatErrors(prefix: string, errors: ErrorObject[] | null | undefined): string[] {
  // anyOf/oneOf failures repeat every branch's complaint; keep the first few distinct messages.
  const seen = new Set<string>();
  const all = errors ?? [];
  // A failed `anyOf [X, null]` also reports "must be null" and "must match a schema in anyOf":
  // keep only what X said, unless that is all there is.
  const useful = all.filter(
    (e) => !(e.keyword === 'type' && e.params.type === 'null') && e.keyword !== 'anyOf',
  );
  for (const e of useful.length > 0 ? useful : all) {
    const detail = e.keyword === 'additionalProperties' ? ` '${String(e.params.additionalProperty)}'` : '';
    const allowed = e.keyword === 'enum' ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : '';
    seen.add(`${prefix}${e.instancePath || ''} ${e.message}${detail}${allowed}`);
    if (seen.size >= 8) break;
  }
  return [...seen];
}

/**
 * A copy of the spec where every schema is JSON Schema that Ajv understands: `nullable` turned into
 * `anyOf [.., null]`, draft-4 boolean `exclusiveMinimum/Maximum` made numeric, `discriminator` dropped,
 * and `required` relaxed for readOnly (request) or writeOnly (response) properties. `$ref`s stay
 * local pointers into this copy, so they resolve against it once it is added to Ajv.
 */
function openApiToJsonSchema(spec: Json, mode: Mode): Json {
  const errata = ERRATA[mode];
  const lookup = (ref: string): Json | undefined => {
    const target = ref.startsWith('#') ? pointerGet(spec, ref.slice(1)) : undefined;
    return isObject(target) ? target : undefined;
  };
  const skipRequired = (prop: unknown): boolean => {
    const p = isObject(prop) && typeof prop.$ref === 'string' ? lookup(prop.$ref) : prop;
    if (!isObject(p)) return false;
    return mode === 'request' ? p.readOnly === true : p.writeOnly === true;
  };

  const schema = (s: unknown, pointer: string, optional = false): unknown => {
    if (!isObject(s)) return s;
    const replaced = errata[pointer];
    if (typeof replaced === 'function') return schema(replaced(s), `${pointer}(erratum)`, optional);
    if (replaced) return replaced;
    const orNull = s.nullable === true || (optional && mode === 'response');
    if (typeof s.$ref === 'string') {
      const ref = { $ref: s.$ref };
      return orNull ? { anyOf: [ref, { type: 'null' }] } : ref;
    }
    const out: Json = {};
    for (const [k, v] of Object.entries(s)) {
      const at = `${pointer}/${escapePointer(k)}`;
      switch (k) {
        case 'nullable':
        case 'discriminator':
        case 'example':
        case 'examples':
        case 'xml':
          break;
        case 'properties': {
          const required = Array.isArray(s.required) ? s.required : [];
          out[k] = Object.fromEntries(
            Object.entries(v as Json).map(([name, sub]) => [
              name,
              schema(sub, `${at}/${escapePointer(name)}`, !required.includes(name)),
            ]),
          );
          break;
        }
        case 'patternProperties':
          out[k] = Object.fromEntries(
            Object.entries(v as Json).map(([name, sub]) => [
              name,
              schema(sub, `${at}/${escapePointer(name)}`),
            ]),
          );
          break;
        case 'items':
          out[k] = Array.isArray(v) ? v.map((sub, i) => schema(sub, `${at}/${i}`)) : schema(v, at);
          break;
        case 'allOf':
        case 'anyOf':
        case 'oneOf':
          out[k] = (v as unknown[]).map((sub, i) => schema(sub, `${at}/${i}`));
          break;
        case 'not':
        case 'additionalProperties':
          out[k] = schema(v, at);
          break;
        case 'required':
          if (Array.isArray(v)) {
            const props = isObject(s.properties) ? s.properties : {};
            out[k] = v.filter((name) => !skipRequired(props[name as string]));
          }
          break;
        case 'exclusiveMinimum':
        case 'exclusiveMaximum':
          if (v === true) out[k] = k === 'exclusiveMinimum' ? s.minimum : s.maximum;
          else if (typeof v === 'number') out[k] = v;
          break;
        default:
          out[k] = v;
      }
    }
    if (out.exclusiveMinimum !== undefined) delete out.minimum;
    if (out.exclusiveMaximum !== undefined) delete out.maximum;
    if (!orNull) return out;
    // A typed schema takes `null` in place, which keeps pointers into it valid; others are wrapped.
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
      return out;
    }
    return { anyOf: [out, { type: 'null' }] };
  };

  // Walk the document; a value under a `schema` key or in `components.schemas` is a schema.
  const walk = (node: unknown, pointer: string): unknown => {
    if (Array.isArray(node)) return node.map((n, i) => walk(n, `${pointer}/${i}`));
    if (!isObject(node)) return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      const at = `${pointer}/${escapePointer(k)}`;
      if (k === 'example' || k === 'examples') continue;
      if (k === 'schema') out[k] = schema(v, at);
      else if (pointer === '/components' && k === 'schemas') {
        out[k] = Object.fromEntries(
          Object.entries(v as Json).map(([name, sub]) => [name, schema(sub, `${at}/${escapePointer(name)}`)]),
        );
      } else out[k] = walk(v, at);
    }
    return out;
  };
  return walk(spec, '') as Json;
}
