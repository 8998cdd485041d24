/**
 * What the contract checker (openapi-contract.ts) needs to know about each API beyond its OpenAPI
 * document: the rules its spec leaves out and the errata where the spec is wrong. Each entry below
 * is a choice made here, not the vendor's word; the comments say what it rests on.
 */
import { fileURLToPath } from 'node:url';
import type { ContractOptions, Parameter } from './openapi-contract.js';

type Json = Record<string, unknown>;

/** PagerDuty's REST API description (api-schema @ 91a06fb), kept in the repository beside its fixtures. */
export const PAGERDUTY_SPEC = fileURLToPath(new URL('../contracts/pagerduty-openapi.json', import.meta.url));
export const PAGERDUTY_ACCEPT = 'application/vnd.pagerduty+json;version=2';

/**
 * Pingera's API v1 description, reconstructed from its generated Python SDK (1.0.5, plus 1.0.15
 * additions marked `x-inferred`): see reference/pingera-notes.md §0 and §2. Paths carry the `/v1`.
 */
export const PINGERA_SPEC = fileURLToPath(new URL('../contracts/pingera-openapi.json', import.meta.url));

function refOrFull(reference: string, full: string): { anyOf: Json[] } {
  return { anyOf: [{ $ref: `#/components/schemas/${reference}` }, { $ref: `#/components/schemas/${full}` }] };
}

/**
 * PagerDuty:
 * - `Content-Type` is declared required on every operation, GETs included; it is checked only when a
 *   request has a body (clients do not send it on GET, and PagerDuty does not ask for it there).
 * - `Accept` has only a default in the spec; it is checked to name `application/vnd.pagerduty+json;version=2`,
 *   the versioning header PagerDuty documents.
 * - In responses, a property that its object does not list as `required` may be `null`: PagerDuty sends
 *   `null` for unset optional fields (description, incident_key, priority, resolve_reason, job_title,
 *   resolved_at, an on-call's start/end/schedule… — see the recorded fixtures) that the spec rarely
 *   marks `nullable`.
 * - `errata` replace the schemas the spec contradicts (with its own examples or descriptions, or with
 *   what PagerDuty sends), and `parameterValues` add the parameter values it forgets to declare.
 */
export const PAGERDUTY_CONTRACT: ContractOptions = {
  accept: PAGERDUTY_ACCEPT,
  errata: {
    request: {
      // IncidentBody.details: typed `object`, yet the spec's own POST /incidents example sends a string,
      // as PagerDuty accepts.
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
      '/components/schemas/EscalationPolicy/allOf/1/properties/teams/items': refOrFull(
        'TeamReference',
        'Team',
      ),
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
  },
  parameterValues: {
    // GET /incidents/{id} include[]=body: the Incident schema says `body` is "only returned if the
    // `include[]=body` query parameter is provided", but include_incident's enum lacks `body`.
    'get /incidents/{id}': { 'include[]': ['body'] },
  },
};

const dateTime = (name: string, description: string): Parameter => ({
  name,
  in: 'query',
  required: false,
  schema: { type: 'string', format: 'date-time' },
  description,
});
const flag = (name: string, description: string): Parameter => ({
  name,
  in: 'query',
  required: false,
  schema: { type: 'boolean' },
  description,
});

/**
 * Pingera. The reconstructed spec is authoritative for paths, methods, parameter names and required
 * fields; it is not for `nullable` (every optional field carries it, an artefact of Python `Optional`),
 * for response descriptions (mostly empty) or for the `x-inferred` operations (secrets, check secrets,
 * execution groups: path spellings guessed from SDK method names). What is assumed here:
 * - The API is Flask + flask-smorest + marshmallow: its `Error{code,message,errors,status}` is
 *   flask-smorest's error schema, and its `Page1`, `Generated`, `Generated1` names are apispec's names for
 *   partial and `Schema.from_dict` schemas. So request bodies are loaded by marshmallow with
 *   `unknown=RAISE`: undeclared fields and `readOnly` (dump_only) fields are refused, and `null` is
 *   refused unless the field allows none. Null is allowed only where the API documents a meaning for it
 *   (`PATCH /v1/checks/{id}/group` `{group_id: null}` ungroups), and for the optional ping body.
 * - A request with a body says `Content-Type: application/json` (webargs reads JSON only then).
 * - A credential is sent on every operation the spec secures (raw key, or `Bearer <jwt>`).
 * - Query values are checked against `format: date-time` too: marshmallow's DateTime needs a time
 *   (a bare `2025-03-01` is refused); a zone is required here because Vigil always sends one.
 * - In responses `nullable` is honoured, and any optional property may be `null`.
 * - `GET /v1/pages` answers `PageList` or, as the August 2025 spec excerpt has it, a bare `Page[]`.
 * - `extraParameters` come from the August 2025 verbatim spec excerpts (show_deleted, show_groups, the
 *   component uptime window `start`/`end`), which the generated client dropped.
 */
export const PINGERA_CONTRACT: ContractOptions = {
  security: true,
  jsonContentType: true,
  queryFormats: true,
  refuseReadOnly: true,
  closedBodies: true,
  requestNullable: [
    '/components/schemas/Generated/properties/group_id',
    '/paths/~1v1~1heartbeats~1{check_id}~1ping/post/requestBody/content/application~1json/schema',
  ],
  errata: {
    response: {
      '/paths/~1v1~1pages/get/responses/200/content/application~1json/schema': {
        anyOf: [
          { $ref: '#/components/schemas/PageList' },
          { type: 'array', items: { $ref: '#/components/schemas/Page' } },
        ],
      },
    },
  },
  extraParameters: {
    'get /v1/pages/{page_id}/components': [
      flag('show_deleted', 'Include soft-deleted components.'),
      flag('show_groups', 'Include component groups.'),
    ],
    'get /v1/pages/{page_id}/component-groups': [flag('show_deleted', 'Include deleted groups.')],
    'get /v1/pages/{page_id}/components/{component_id}/uptime': [
      dateTime('start', 'Start of the uptime window.'),
      dateTime('end', 'End of the uptime window.'),
    ],
  },
};
