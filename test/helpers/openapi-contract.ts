/**
 * Checks HTTP requests (and, for fakes, responses) against an API's OpenAPI 3.0 document, so that a
 * provider's tests fail when it sends a path, parameter, header or body the real API does not declare,
 * and so that the fake it is tested against answers in the real API's shapes. PagerDuty's and Pingera's
 * documents are known (openapi-contract-apis.ts holds what each needs beyond its spec); another spec
 * can be checked with options of its own.
 *
 * A spec is parsed once per path and options; body validators are compiled per operation on first use.
 *
 * What is assumed for every API (each is a choice made here, not a vendor's word):
 * - Query parameters whose name ends in `[]` or whose schema is an array may repeat; others may not.
 * - `readOnly` properties are not required in requests, nor `writeOnly` ones in responses, when the
 *   property and the `required` list sit in the same schema object (the spec often splits them across
 *   `allOf`, where this cannot be seen; those stay required).
 * - OpenAPI 3.0 ignores siblings of `$ref`; a `nullable: true` beside a `$ref` is honoured anyway.
 * - When a 2xx status is not declared but the operation declares exactly one 2xx response, that one
 *   is used (PagerDuty's spec declares `201` for GET /schedules/{id}/overrides, which answers 200).
 * - In responses, a property that its object does not list as `required` may be `null` (both APIs send
 *   `null` for unset optional fields).
 * - A declared `Content-Type` header is checked only when a request has a body.
 */

import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import {
  PAGERDUTY_CONTRACT,
  PAGERDUTY_SPEC,
  PINGERA_CONTRACT,
  PINGERA_SPEC,
} from './openapi-contract-apis.js';

export { PAGERDUTY_ACCEPT, PAGERDUTY_SPEC, PINGERA_SPEC } from './openapi-contract-apis.js';

export interface RecordedRequest {
  method: string;
  /**
   * Path as the spec's paths spell it, without the query string: relative to PagerDuty's API base
   * (`/incidents/PT4KHLK`), or from the host for Pingera, whose paths carry the version (`/v1/checks`).
   */
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
  /** Whether the operation needs a credential: its `security` (or the document's) has no empty alternative. */
  secured: boolean;
}

export interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Record<string, unknown>;
  description?: string;
}

/** What part of a request broke the contract; a fake answers `query-value` and `body` as invalid input. */
export type ViolationKind = 'route' | 'query' | 'query-value' | 'header' | 'body';

export interface Violation {
  kind: ViolationKind;
  message: string;
  /**
   * For `query` and `query-value`, the parameter; for `header`, the header as the spec names it
   * (`Authorization` for a missing credential); for `body`, the dotted path of the offending field
   * (`name`, `components.0.status`; a missing or undeclared property is named itself), or `_schema`
   * for the body as a whole. Lets a fake key its error details by field, as the real API does.
   */
  field?: string;
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
  /** The methods the spec declares for a path (upper case), empty when no path template matches it. */
  methods(path: string): string[];
}

/** A replacement schema, or a function of the original, at a JSON pointer into the spec. */
export type Errata = Record<
  string,
  Record<string, unknown> | ((original: Record<string, unknown>) => Record<string, unknown>)
>;

/** What an API needs checked beyond (or instead of) what its OpenAPI document says. */
export interface ContractOptions {
  /** When an operation declares an `Accept` header, the media type it must name (PagerDuty's versioning). */
  accept?: string;
  /** A request to an operation with `security` (its own or the document's) must carry a credential. */
  security?: boolean;
  /** A request with a body must say `Content-Type: application/json` even where no header is declared. */
  jsonContentType?: boolean;
  /** Query values are checked against their schema's `format` (`date-time`) too. */
  queryFormats?: boolean;
  /** Request bodies may not carry `readOnly` properties (they are only exempt from `required` otherwise). */
  refuseReadOnly?: boolean;
  /** Request bodies may not carry properties their object schema does not declare. */
  closedBodies?: boolean;
  /** In requests, `nullable` is honoured only at these schema pointers; everywhere when absent. */
  requestNullable?: readonly string[];
  /** Schemas replaced where the spec contradicts the API, by pointer and direction. */
  errata?: Partial<Record<Mode, Errata>>;
  /** Query parameter values the spec forgets, by `method template` and parameter: added to its enum. */
  parameterValues?: Record<string, Record<string, string[]>>;
  /** Parameters the spec forgets altogether, by `method template`. */
  extraParameters?: Record<string, Parameter[]>;
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

/** The options of the specs this repository keeps; another spec is checked by its document alone. */
const KNOWN: Record<string, ContractOptions> = {
  [PAGERDUTY_SPEC]: PAGERDUTY_CONTRACT,
  [PINGERA_SPEC]: PINGERA_CONTRACT,
};

const cache = new Map<string, Map<ContractOptions, ContractChecker>>();

/** The checker of a spec (PagerDuty's by default) with its known options, or with the ones given. */
export function contractChecker(
  specPath: string = PAGERDUTY_SPEC,
  options: ContractOptions = KNOWN[specPath] ?? {},
): ContractChecker {
  let bySpec = cache.get(specPath);
  if (!bySpec) {
    bySpec = new Map();
    cache.set(specPath, bySpec);
  }
  let checker = bySpec.get(options);
  if (!checker) {
    checker = buildChecker(JSON.parse(readFileSync(specPath, 'utf8')) as Json, options);
    bySpec.set(options, checker);
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

function buildChecker(spec: Json, options: ContractOptions): ContractChecker {
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
    for (const p of options.extraParameters?.[`${method} ${template}`] ?? [])
      byKey.set(`${p.in}:${p.name}`, p);
    for (const [name, extra] of Object.entries(options.parameterValues?.[`${method} ${template}`] ?? {})) {
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
      const op = operation(route.template, m);
      const security = (op?.raw.security ?? spec.security) as unknown[] | undefined;
      return {
        template: route.template,
        method: m,
        pathParams,
        parameters: op?.params ?? [],
        secured:
          Array.isArray(security) &&
          security.length > 0 &&
          security.every((alt) => isObject(alt) && Object.keys(alt).length > 0),
      };
    }
    return undefined;
  };

  const methods = (path: string): string[] => {
    const found = new Set<string>();
    for (const route of routes.filter((r) => r.regex.test(path))) {
      const item = paths[route.template] ?? {};
      for (const k of Object.keys(item))
        if (HTTP_METHODS.has(k) && isObject(item[k])) found.add(k.toUpperCase());
    }
    return [...found].sort();
  };

  const ajv = {
    request: newAjv(),
    response: newAjv(),
  };
  ajv.request.addSchema(openApiToJsonSchema(spec, 'request', options), 'request');
  ajv.response.addSchema(openApiToJsonSchema(spec, 'response', options), 'response');
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
      ...checkQuery(where, op, req.query, options),
      ...checkHeaders(where, op, req, options),
      ...checkSecurity(where, spec, op, req, options).map((message) => ({
        kind: 'header' as const,
        field: 'Authorization',
        message,
      })),
      ...checkBody(where, op, req.body, validator),
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
    return formatErrors(`${where}: response body`, v.errors).map((e) => e.message);
  };

  return { check, violations, checkResponse, match, methods };
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

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

function checkQuery(
  where: string,
  op: Operation,
  query: URLSearchParams,
  options: ContractOptions,
): Violation[] {
  const out: Violation[] = [];
  const push = (kind: ViolationKind, message: string, field: string) => out.push({ kind, message, field });
  const declared = new Map(op.params.filter((p) => p.in === 'query').map((p) => [p.name, p]));
  for (const name of new Set(query.keys())) {
    const param = declared.get(name);
    if (!param) {
      const hint = declared.has(`${name}[]`) ? ` (did you mean '${name}[]'?)` : '';
      const names = [...declared.keys()].join(', ') || 'none';
      push('query', `${where}: query parameter '${name}' is not declared${hint}; declared: ${names}`, name);
      continue;
    }
    const values = query.getAll(name);
    const schema = param.schema ?? {};
    const isArray = schema.type === 'array' || name.endsWith('[]');
    if (!isArray && values.length > 1) {
      push('query-value', `${where}: query parameter '${name}' given ${values.length} times`, name);
    }
    const itemSchema = (schema.type === 'array' && isObject(schema.items) ? schema.items : schema) as Json;
    for (const value of values) {
      const problem = scalarProblem(value, itemSchema, options.queryFormats === true);
      if (problem)
        push('query-value', `${where}: query parameter '${name}'=${JSON.stringify(value)} ${problem}`, name);
    }
  }
  for (const p of declared.values()) {
    if (p.required && !query.has(p.name))
      push('query-value', `${where}: required query parameter '${p.name}' missing`, p.name);
  }
  return out;
}

const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/i;

/** Why a query or header string does not fit a scalar schema, or undefined when it does. */
function scalarProblem(value: string, schema: Json, formats = false): string | undefined {
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
  if (
    formats &&
    schema.format === 'date-time' &&
    !(DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)))
  ) {
    return 'is not a date-time with a zone (e.g. 2025-03-17T18:00:00Z)';
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

function checkHeaders(
  where: string,
  op: Operation,
  req: RecordedRequest,
  options: ContractOptions,
): Violation[] {
  const out: Violation[] = [];
  const push = (field: string, message: string) => out.push({ kind: 'header', field, message });
  const hasBody = req.body !== undefined;
  const declared = new Set(op.params.filter((q) => q.in === 'header').map((q) => q.name.toLowerCase()));
  if (options.jsonContentType && hasBody && !declared.has('content-type')) {
    const media = (header(req.headers, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (media !== 'application/json') {
      push(
        'Content-Type',
        `${where}: header 'Content-Type' is ${media ? `'${media}'` : 'missing'}; a JSON body needs application/json`,
      );
    }
  }
  for (const p of op.params.filter((q) => q.in === 'header')) {
    const name = p.name.toLowerCase();
    const value = header(req.headers, p.name);
    if (name === 'content-type' && !hasBody) continue;
    if (value === undefined || value === '') {
      if (p.required) push(p.name, `${where}: required header '${p.name}' missing`);
      continue;
    }
    if (name === 'accept' && options.accept) {
      const media = value.split(',').map((m) => m.replace(/\s+/g, ''));
      if (!media.includes(options.accept)) push(p.name, `${where}: header 'Accept' is not ${options.accept}`);
      continue;
    }
    // Media types are compared without their parameters (`application/json; charset=utf-8`).
    const compared = name === 'content-type' ? (value.split(';')[0] ?? '').trim() : value;
    const problem = scalarProblem(compared, p.schema ?? {});
    if (problem) push(p.name, `${where}: header '${p.name}'=${JSON.stringify(value)} ${problem}`);
    if (p.schema?.format === 'email' && !/^[^\s@]+@[^\s@]+$/.test(value)) {
      push(p.name, `${where}: header '${p.name}'=${JSON.stringify(value)} is not an email address`);
    }
  }
  return out;
}

/**
 * Whether a request carries a credential one of the operation's security alternatives accepts:
 * an `apiKey` header, or `Authorization` with the scheme's prefix for `http` schemes (`Bearer …`).
 */
function checkSecurity(
  where: string,
  spec: Json,
  op: Operation,
  req: RecordedRequest,
  options: ContractOptions,
): string[] {
  if (!options.security) return [];
  const alternatives = (op.raw.security ?? spec.security) as Record<string, unknown>[] | undefined;
  if (!Array.isArray(alternatives) || alternatives.length === 0) return [];
  const schemes = (pointerGet(spec, '/components/securitySchemes') ?? {}) as Record<string, Json>;
  const carries = (name: string): boolean => {
    const scheme = schemes[name];
    if (!scheme) return false;
    if (scheme.type === 'apiKey') {
      return scheme.in !== 'header' || Boolean(header(req.headers, String(scheme.name)));
    }
    const authorization = header(req.headers, 'authorization') ?? '';
    if (scheme.type === 'http') {
      return new RegExp(`^${String(scheme.scheme)}\\s+\\S`, 'i').test(authorization.trim());
    }
    return authorization !== '';
  };
  if (alternatives.some((alt) => Object.keys(alt).every(carries))) return [];
  const names = alternatives.map((alt) => Object.keys(alt).join(' + ')).join(' or ');
  return [`${where}: no credential for ${names}`];
}

function checkBody(
  where: string,
  op: Operation,
  body: unknown,
  validator: (mode: Mode, pointer: string) => ValidateFunction | null,
): Violation[] {
  const whole = (message: string): Violation[] => [{ kind: 'body', message, field: '_schema' }];
  const requestBody = op.raw.requestBody as Json | undefined;
  if (!requestBody) return body === undefined ? [] : whole(`${where}: the operation takes no request body`);
  if (body === undefined) return requestBody.required ? whole(`${where}: required request body missing`) : [];
  const v = validator('request', `${op.pointer}/requestBody/content/application~1json/schema`);
  if (!v) return whole(`${where}: the operation declares no JSON request body`);
  if (v(body)) return [];
  return formatErrors(`${where}: request body`, v.errors).map((e) => ({ kind: 'body', ...e }));
}

/** The dotted field an Ajv error concerns: its instance path, plus the property a keyword names. */
function fieldOf(e: ErrorObject): string {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'required') path.push(String(e.params.missingProperty));
  if (e.keyword === 'additionalProperties') path.push(String(e.params.additionalProperty));
  return path.length > 0 ? path.join('.') : '_schema';
}

function formatErrors(
  prefix: string,
  errors: ErrorObject[] | null | undefined,
): { message: string; field: string }[] {
  // anyOf/oneOf failures repeat every branch's complaint; keep the first few distinct messages.
  const seen = new Map<string, string>();
  const all = errors ?? [];
  // A failed `anyOf [X, null]` also reports "must be null" and "must match a schema in anyOf":
  // keep only what X said, unless that is all there is.
  const useful = all.filter(
    (e) => !(e.keyword === 'type' && e.params.type === 'null') && e.keyword !== 'anyOf',
  );
  for (const e of useful.length > 0 ? useful : all) {
    const detail = e.keyword === 'additionalProperties' ? ` '${String(e.params.additionalProperty)}'` : '';
    const allowed = e.keyword === 'enum' ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : '';
    // A `false` schema is how a refused read-only property is compiled (see openApiToJsonSchema).
    const said = e.keyword === 'false schema' ? 'is read-only and may not be sent' : e.message;
    const message = `${prefix}${e.instancePath || ''} ${said}${detail}${allowed}`;
    if (!seen.has(message)) seen.set(message, fieldOf(e));
    if (seen.size >= 8) break;
  }
  return [...seen].map(([message, field]) => ({ message, field }));
}

/**
 * A copy of the spec where every schema is JSON Schema that Ajv understands: `nullable` turned into
 * `anyOf [.., null]`, draft-4 boolean `exclusiveMinimum/Maximum` made numeric, `discriminator` dropped,
 * and `required` relaxed for readOnly (request) or writeOnly (response) properties; with the options,
 * request objects closed, readOnly properties refused and `nullable` honoured only where listed. `$ref`s stay
 * local pointers into this copy, so they resolve against it once it is added to Ajv.
 */
function openApiToJsonSchema(spec: Json, mode: Mode, options: ContractOptions): Json {
  const errata = options.errata?.[mode] ?? {};
  const refuseReadOnly = mode === 'request' && options.refuseReadOnly === true;
  const closed = mode === 'request' && options.closedBodies === true;
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
    const nullable =
      s.nullable === true &&
      (mode === 'response' || !options.requestNullable || options.requestNullable.includes(pointer));
    const orNull = nullable || (optional && mode === 'response');
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
              // `false` refuses any value; formatErrors words it as "is read-only".
              refuseReadOnly && isObject(sub) && skipRequired(sub)
                ? false
                : schema(sub, `${at}/${escapePointer(name)}`, !required.includes(name)),
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
    if (
      closed &&
      isObject(out.properties) &&
      !('additionalProperties' in out) &&
      !out.allOf &&
      !out.anyOf &&
      !out.oneOf
    ) {
      out.additionalProperties = false;
    }
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
