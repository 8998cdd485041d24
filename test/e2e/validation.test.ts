/**
 * Bad input of every kind, for every tool, through the built server over Streamable
 * HTTP: wrong types, unknown parameters, unknown `include` fields, bad ids and over-large
 * limits each answer isError with VALIDATION_ERROR or NOT_FOUND naming the parameter — and no
 * failed call writes anything.
 */
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSqlite } from '../../src/providers/embedded/store/sqlite-driver.js';
import { callJson, connect } from '../helpers/clients.js';
import { type RunningVigil, startVigil, tempDir } from '../helpers/vigil.js';

const TABLES = [
  'users',
  'contact_methods',
  'teams',
  'team_members',
  'services',
  'service_teams',
  'api_keys',
  'incidents',
  'incident_alerts',
  'incident_notes',
  'incident_acknowledgements',
  'escalation_policies',
  'escalation_rules',
  'escalation_targets',
  'schedules',
  'schedule_layers',
  'schedule_layer_users',
  'schedule_overrides',
  'heartbeats',
  'heartbeat_pings',
  'checks',
  'check_groups',
  'check_results',
  'check_jobs',
  'alert_rules',
  'alert_channels',
  'secrets',
  'check_secrets',
  'status_pages',
  'status_components',
  'status_incidents',
  'status_incident_components',
  'status_incident_updates',
];
const UNKNOWN = 'PZZZZZZ9';

let server: RunningVigil;
let client: Client;
const dataDir = tempDir();
const ids = {
  user: '',
  team: '',
  service: '',
  incident: '',
  policy: '',
  schedule: '',
  override: '',
  heartbeat: '',
  check: '',
  group: '',
  job: '',
  rule: '',
  channel: '',
  secret: '',
  page: '',
  component: '',
  statusIncident: '',
  update: '',
};

async function counts(): Promise<Record<string, number>> {
  const SQLite = await loadSqlite();
  const db = new SQLite(join(dataDir, 'vigil.db'), { readonly: true });
  try {
    return Object.fromEntries(
      TABLES.map((t) => [t, (db.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n]),
    );
  } finally {
    db.close();
  }
}

/** A valid call per tool, so that one changed parameter is the only thing wrong. */
const base = (): Record<string, Record<string, unknown>> => ({
  get_users: { current_user_context: false, team_ids: [ids.team] },
  get_teams: {},
  get_services: { current_user_context: false, team_ids: [ids.team] },
  build_user_context: {},
  create_user: { name: 'Zed', email: 'zed@x.io' },
  update_user: { user_id: ids.user, name: 'Zed 2' },
  delete_user: { user_id: ids.user },
  create_team: { name: 'Zed team' },
  update_team: { team_id: ids.team, name: 'Zed team 2' },
  delete_team: { team_id: ids.team },
  create_service: { name: 'Zed service' },
  update_service: { service_id: ids.service, name: 'Zed service 2' },
  delete_service: { service_id: ids.service },
  get_incidents: { current_user_context: false, service_ids: [ids.service] },
  get_incident_timeline: { incident_id: ids.incident },
  acknowledge_incident: { incident_id: ids.incident },
  resolve_incident: { incident_id: ids.incident },
  add_incident_note: { incident_id: ids.incident, content: 'note' },
  trigger_incident: { service_id: ids.service, title: 'Zed incident' },
  reassign_incident: { incident_id: ids.incident, user_ids: [ids.user] },
  escalate_incident: { incident_id: ids.incident, escalation_level: 1 },
  snooze_incident: { incident_id: ids.incident, duration: 600 },
  get_status_overview: { current_user_context: false },
  get_escalation_policies: { current_user_context: false, user_ids: [ids.user] },
  create_escalation_policy: {
    name: 'Zed policy',
    escalation_rules: [
      { escalation_delay_in_minutes: 5, targets: [{ id: ids.user, type: 'user_reference' }] },
    ],
  },
  update_escalation_policy: { policy_id: ids.policy, name: 'Zed policy 2' },
  delete_escalation_policy: { policy_id: ids.policy },
  get_schedules: { query: 'core' },
  list_users_oncall: { schedule_id: ids.schedule },
  get_oncalls: { current_user_context: false, schedule_ids: [ids.schedule] },
  create_schedule: {
    name: 'Zed schedule',
    time_zone: 'UTC',
    schedule_layers: [
      { start: '2026-01-05T09:00:00Z', rotation_turn_length_seconds: 86_400, users: [ids.user] },
    ],
  },
  update_schedule: { schedule_id: ids.schedule, name: 'Zed schedule 2' },
  delete_schedule: { schedule_id: ids.schedule },
  create_schedule_override: {
    schedule_id: ids.schedule,
    user_id: ids.user,
    start: '2026-02-01T00:00:00Z',
    end: '2026-02-02T00:00:00Z',
  },
  delete_schedule_override: { schedule_id: ids.schedule, override_id: ids.override },
  list_heartbeats: { status: 'new' },
  get_heartbeat_details: { heartbeat_id: ids.heartbeat },
  create_heartbeat: { heartbeat_data: { name: 'Zed job', period_seconds: 600 } },
  update_heartbeat: { heartbeat_id: ids.heartbeat, heartbeat_data: { name: 'Zed job 2' } },
  delete_heartbeat: { heartbeat_id: ids.heartbeat },
  send_heartbeat_ping: { heartbeat_id: ids.heartbeat },
  get_heartbeat_logs: { heartbeat_id: ids.heartbeat },
  list_checks: { type: 'web' },
  get_check_details: { check_id: ids.check },
  create_check: { name: 'Zed check', type: 'web', url: 'https://example.com/' },
  update_check: { check_id: ids.check, name: 'Zed check 2' },
  delete_check: { check_id: ids.check },
  pause_check: { check_id: ids.check },
  resume_check: { check_id: ids.check },
  create_icmp_check: { name: 'Zed ping', host: 'example.com' },
  create_dns_check: { name: 'Zed dns', host: 'example.com' },
  get_check_results: { check_id: ids.check },
  get_check_statistics: { check_id: ids.check },
  get_check_status_history: { check_id: ids.check },
  get_unified_results: { check_ids: [ids.check] },
  get_unified_statistics: { check_ids: [ids.check] },
  execute_custom_check: { type: 'tcp', name: 'Zed run', host: '127.0.0.1', port: 9, timeout: 1 },
  execute_existing_check: { check_id: ids.check },
  execute_icmp_check: { name: 'Zed ping', host: '127.0.0.1', probe_count: 1 },
  execute_dns_check: { name: 'Zed dns', host: 'localhost', timeout: 1 },
  get_on_demand_job_status: { job_id: ids.job },
  list_check_jobs: {},
  list_on_demand_checks: {},
  generate_synthetic_check_script: { description: 'Home page', target_url: 'https://example.com/' },
  generate_api_check_script: { url: 'https://example.com/health', description: 'Health' },
  get_check_job_details: { job_id: ids.job },
  create_synthetic_check: {
    name: 'Zed browser',
    url: 'http://127.0.0.1:9/',
    pw_script: "await page.goto('/')",
  },
  execute_synthetic_check: {
    name: 'Zed browser',
    url: 'http://127.0.0.1:9/',
    pw_script: "await page.goto('/')",
    timeout: 1,
  },
  create_multistep_check: { name: 'Zed flow', pw_script: "await request.get('http://127.0.0.1:9/')" },
  execute_multistep_check: {
    name: 'Zed flow',
    steps: [{ name: 'ping', request: { url: 'http://127.0.0.1:9/' } }],
    timeout: 1,
  },
  list_check_groups: {},
  get_check_group_details: { group_id: ids.group },
  get_checks_in_group: { group_id: ids.group },
  create_check_group: { name: 'Zed group' },
  update_check_group: { group_id: ids.group, name: 'Zed group 2' },
  delete_check_group: { group_id: ids.group },
  list_alerts: { status: 'firing' },
  get_alert_details: { alert_id: ids.rule },
  get_alert_statistics: {},
  list_alert_rules: {},
  list_alert_channels: {},
  create_alert: { alert_data: { name: 'Zed rule', check_id: ids.check, condition: 'check_failed' } },
  update_alert: { alert_id: ids.rule, alert_data: { name: 'Zed rule 2' } },
  delete_alert: { alert_id: ids.rule },
  create_alert_channel: {
    name: 'Zed hook',
    type: 'webhook',
    configuration: { url: 'https://example.com/h' },
  },
  update_alert_channel: { channel_id: ids.channel, name: 'Zed hook 2' },
  delete_alert_channel: { channel_id: ids.channel },
  list_secrets: {},
  get_secret_details: { secret_id: ids.secret },
  create_secret: { name: 'Zed secret', value: 'v' },
  update_secret: { secret_id: ids.secret, value: 'v2' },
  delete_secret: { secret_id: ids.secret },
  get_check_secrets: { check_id: ids.check },
  add_secret_to_check: { check_id: ids.check, secret_id: ids.secret, env_var_name: 'ZED' },
  update_check_secrets: { check_id: ids.check, secrets: [{ secret_id: ids.secret, env_variable: 'ZED' }] },
  remove_secret_from_check: { check_id: ids.check, secret_id: ids.secret },
  list_pages: { per_page: 10 },
  get_page_details: { page_id: ids.page },
  create_page: { name: 'Zed page' },
  update_page: { page_id: ids.page, name: 'Zed page 2' },
  patch_page: { page_id: ids.page, headline: 'Zed' },
  delete_page: { page_id: ids.page },
  list_component_groups: { page_id: ids.page },
  list_components: { page_id: ids.page },
  get_component_details: { page_id: ids.page, component_id: ids.component },
  create_component: { page_id: ids.page, name: 'Zed component' },
  update_component: { page_id: ids.page, component_id: ids.component, name: 'Zed component 2' },
  patch_component: { page_id: ids.page, component_id: ids.component, status: 'partial_outage' },
  delete_component: { page_id: ids.page, component_id: ids.component },
  list_incidents: { page_id: ids.page },
  get_incident_details: { page_id: ids.page, incident_id: ids.statusIncident },
  get_incident_updates: { page_id: ids.page, incident_id: ids.statusIncident },
  get_incident_update_details: { page_id: ids.page, incident_id: ids.statusIncident, update_id: ids.update },
  create_incident: { page_id: ids.page, name: 'Zed outage', status: 'investigating' },
  update_incident: { page_id: ids.page, incident_id: ids.statusIncident, status: 'identified' },
  patch_incident: { page_id: ids.page, incident_id: ids.statusIncident, name: 'Zed outage 2' },
  delete_incident: { page_id: ids.page, incident_id: ids.statusIncident },
  add_incident_update: {
    page_id: ids.page,
    incident_id: ids.statusIncident,
    update_data: { body: 'Fixed', status: 'monitoring' },
  },
  update_incident_update: {
    page_id: ids.page,
    incident_id: ids.statusIncident,
    update_id: ids.update,
    update_data: { body: 'Fixed.' },
  },
  delete_incident_update: { page_id: ids.page, incident_id: ids.statusIncident, update_id: ids.update },
  test_connection: {},
  test_pingera_connection: {},
  get_audit_log: {},
});

function wrongValue(schema: {
  type?: string;
  items?: { type?: string };
  additionalProperties?: unknown;
}): unknown {
  switch (schema.type) {
    case 'object':
      // A free-form object takes any keys: only a non-object is wrong for it.
      return schema.additionalProperties !== undefined && schema.additionalProperties !== false
        ? 'not-an-object'
        : { unexpected: true };
    case 'string':
      return 12345;
    case 'array':
      return schema.items?.type === 'string' ? [42] : 'not-an-array';
    case 'boolean':
      return 'yes';
    case 'integer':
    case 'number':
      return 'ten';
    default:
      return { unexpected: true };
  }
}

beforeAll(async () => {
  server = await startVigil({
    VIGIL_DATA_DIR: dataDir,
    VIGIL_MODE: 'read_write',
    VIGIL_USER_EMAIL: 'ann@x.io',
  });
  client = await connect('http-modern', { base: server.base });
  ids.user = (await callJson(client, 'create_user', { name: 'Ann', email: 'ann@x.io' })).body.users[0].id;
  ids.team = (
    await callJson(client, 'create_team', { name: 'Core', member_ids: [ids.user] })
  ).body.teams[0].id;
  ids.service = (
    await callJson(client, 'create_service', { name: 'API', team_ids: [ids.team] })
  ).body.services[0].id;
  ids.policy = (
    await callJson(client, 'create_escalation_policy', {
      name: 'Core',
      escalation_rules: [
        { escalation_delay_in_minutes: 5, targets: [{ id: ids.user, type: 'user_reference' }] },
      ],
    })
  ).body.escalation_policies[0].id;
  ids.schedule = (
    await callJson(client, 'create_schedule', {
      name: 'Core',
      time_zone: 'Europe/Berlin',
      schedule_layers: [
        { start: '2026-01-05T09:00:00Z', rotation_turn_length_seconds: 604_800, users: [ids.user] },
      ],
    })
  ).body.schedules[0].id;
  ids.override = (
    await callJson(client, 'create_schedule_override', {
      schedule_id: ids.schedule,
      user_id: ids.user,
      start: '2026-01-10T00:00:00Z',
      end: '2026-01-11T00:00:00Z',
    })
  ).body.overrides[0].id;
  ids.heartbeat = (
    await callJson(client, 'create_heartbeat', { heartbeat_data: { name: 'Core job', period_seconds: 300 } })
  ).body.heartbeats[0].id;
  ids.group = (await callJson(client, 'create_check_group', { name: 'Core checks' })).body.groups[0].id;
  ids.check = (
    await callJson(client, 'create_check', {
      name: 'Core site',
      type: 'web',
      url: 'http://127.0.0.1:9/',
      group_id: ids.group,
      active: false,
    })
  ).body.checks[0].id;
  ids.job = (
    await callJson(client, 'execute_custom_check', {
      type: 'tcp',
      name: 'Probe',
      host: '127.0.0.1',
      port: 9,
      timeout: 1,
    })
  ).body.jobs[0].id;
  ids.channel = (
    await callJson(client, 'create_alert_channel', {
      name: 'Core hook',
      type: 'webhook',
      configuration: { url: 'https://example.com/hook' },
    })
  ).body.channels[0].id;
  ids.rule = (
    await callJson(client, 'create_alert', {
      alert_data: {
        name: 'Core down',
        check_id: ids.check,
        condition: 'check_failed',
        channel_ids: [ids.channel],
      },
    })
  ).body.rules[0].id;
  ids.secret = (
    await callJson(client, 'create_secret', { name: 'Core token', value: 'v' })
  ).body.secrets[0].id;
  ids.incident = (
    await callJson(client, 'trigger_incident', { service_id: ids.service, title: 'Broken' })
  ).body.incidents[0].id;
  ids.page = (await callJson(client, 'create_page', { name: 'Core', subdomain: 'core' })).body.pages[0].id;
  ids.component = (
    await callJson(client, 'create_component', { page_id: ids.page, name: 'API' })
  ).body.components[0].id;
  const posted = (
    await callJson(client, 'create_incident', {
      page_id: ids.page,
      name: 'API slow',
      status: 'investigating',
      body: 'Looking into it.',
      components: { [ids.component]: 'degraded_performance' },
    })
  ).body.incidents[0];
  ids.statusIncident = posted.id;
  ids.update = posted.incident_updates[0].id;
});
afterAll(async () => {
  await client?.close();
  await server?.stop();
});

describe('every tool', () => {
  it('answers VALIDATION_ERROR naming the parameter for a wrong type, an unknown parameter, a bad include and an over-large limit', async () => {
    const before = await counts();
    const { tools } = await client.listTools();
    const calls = base();
    let checked = 0;
    for (const tool of tools) {
      const valid = calls[tool.name];
      expect(valid, `a valid call for ${tool.name}`).toBeDefined();
      const props = (tool.inputSchema.properties ?? {}) as Record<
        string,
        { type?: string; items?: { type?: string }; additionalProperties?: unknown }
      >;
      const cases: [Record<string, unknown>, string][] = [
        [{ ...valid, bogus_parameter: 1 }, 'bogus_parameter'],
      ];
      for (const [name, schema] of Object.entries(props))
        cases.push([{ ...valid, [name]: wrongValue(schema) }, name]);
      if ('include' in props) cases.push([{ ...valid, include: ['id', 'no_such_field'] }, 'include']);
      if ('limit' in props) {
        for (const limit of [1001, 1e12, 0, -1, 1.5]) cases.push([{ ...valid, limit }, 'limit']);
      }
      for (const name of Object.keys(props).filter((p) => p.endsWith('_id')))
        cases.push([{ ...valid, [name]: 'not an id!' }, name]);
      if ('name' in props) cases.push([{ ...valid, name: 'x'.repeat(100_000) }, 'name']);
      for (const [args, parameter] of cases) {
        const r = await callJson(client, tool.name, args);
        const label = `${tool.name} ${JSON.stringify(args).slice(0, 120)}`;
        expect(r.isError, label).toBe(true);
        expect(r.body.error.code, label).toBe('VALIDATION_ERROR');
        expect(String(r.body.error.details?.parameter), label).toMatch(new RegExp(`^${parameter}`));
        expect(r.body.error.message, label).toContain(parameter);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(await counts()).toEqual(before);
  });

  it('answers NOT_FOUND naming the parameter for an unknown id, writing nothing', async () => {
    const before = await counts();
    const cases: [string, Record<string, unknown>, string][] = [
      ['get_users', { user_id: UNKNOWN }, 'user_id'],
      ['get_teams', { team_id: UNKNOWN }, 'team_id'],
      ['get_services', { service_id: UNKNOWN }, 'service_id'],
      ['update_user', { user_id: UNKNOWN, name: 'x' }, 'user_id'],
      ['delete_user', { user_id: UNKNOWN }, 'user_id'],
      ['update_team', { team_id: UNKNOWN, name: 'x' }, 'team_id'],
      ['delete_team', { team_id: UNKNOWN }, 'team_id'],
      ['update_service', { service_id: UNKNOWN, name: 'x' }, 'service_id'],
      ['delete_service', { service_id: UNKNOWN }, 'service_id'],
      ['create_team', { name: 'Ghosts', member_ids: [ids.user, UNKNOWN] }, 'member_ids'],
      ['update_team', { team_id: ids.team, member_ids: [UNKNOWN] }, 'member_ids'],
      ['create_service', { name: 'Ghost', escalation_policy_id: UNKNOWN }, 'escalation_policy_id'],
      ['create_service', { name: 'Ghost', team_ids: [UNKNOWN] }, 'team_ids'],
      ['update_service', { service_id: ids.service, escalation_policy_id: UNKNOWN }, 'escalation_policy_id'],
      ['get_incidents', { incident_id: UNKNOWN }, 'incident_id'],
      ['acknowledge_incident', { incident_id: UNKNOWN }, 'incident_id'],
      ['get_incident_timeline', { incident_id: UNKNOWN }, 'incident_id'],
      ['reassign_incident', { incident_id: UNKNOWN, user_ids: [ids.user] }, 'incident_id'],
      ['reassign_incident', { incident_id: ids.incident, user_ids: [UNKNOWN] }, 'user_ids'],
      ['escalate_incident', { incident_id: UNKNOWN, escalation_level: 1 }, 'incident_id'],
      ['snooze_incident', { incident_id: UNKNOWN, duration: 600 }, 'incident_id'],
      ['resolve_incident', { incident_id: UNKNOWN }, 'incident_id'],
      ['add_incident_note', { incident_id: UNKNOWN, content: 'x' }, 'incident_id'],
      ['trigger_incident', { service_id: UNKNOWN, title: 'x' }, 'service_id'],
      ['get_escalation_policies', { policy_id: UNKNOWN }, 'policy_id'],
      ['update_escalation_policy', { policy_id: UNKNOWN, name: 'x' }, 'policy_id'],
      ['delete_escalation_policy', { policy_id: UNKNOWN }, 'policy_id'],
      ['get_schedules', { schedule_id: UNKNOWN }, 'schedule_id'],
      ['list_users_oncall', { schedule_id: UNKNOWN }, 'schedule_id'],
      ['update_schedule', { schedule_id: UNKNOWN, name: 'x' }, 'schedule_id'],
      ['delete_schedule', { schedule_id: UNKNOWN }, 'schedule_id'],
      [
        'create_schedule_override',
        {
          schedule_id: UNKNOWN,
          user_id: ids.user,
          start: '2026-02-01T00:00:00Z',
          end: '2026-02-02T00:00:00Z',
        },
        'schedule_id',
      ],
      [
        'create_schedule_override',
        {
          schedule_id: ids.schedule,
          user_id: UNKNOWN,
          start: '2026-02-01T00:00:00Z',
          end: '2026-02-02T00:00:00Z',
        },
        'user_id',
      ],
      ['delete_schedule_override', { schedule_id: ids.schedule, override_id: UNKNOWN }, 'override_id'],
      ['get_heartbeat_details', { heartbeat_id: UNKNOWN }, 'heartbeat_id'],
      ['update_heartbeat', { heartbeat_id: UNKNOWN, heartbeat_data: { name: 'x' } }, 'heartbeat_id'],
      ['delete_heartbeat', { heartbeat_id: UNKNOWN }, 'heartbeat_id'],
      ['send_heartbeat_ping', { heartbeat_id: UNKNOWN }, 'heartbeat_id'],
      ['get_heartbeat_logs', { heartbeat_id: UNKNOWN }, 'heartbeat_id'],
      ['get_page_details', { page_id: UNKNOWN }, 'page_id'],
      ['update_page', { page_id: UNKNOWN, name: 'x' }, 'page_id'],
      ['delete_page', { page_id: UNKNOWN }, 'page_id'],
      ['list_components', { page_id: UNKNOWN }, 'page_id'],
      ['create_component', { page_id: UNKNOWN, name: 'x' }, 'page_id'],
      ['create_component', { page_id: ids.page, name: 'x', group_id: UNKNOWN }, 'group_id'],
      ['get_component_details', { page_id: ids.page, component_id: UNKNOWN }, 'component_id'],
      ['patch_component', { page_id: ids.page, component_id: UNKNOWN, name: 'x' }, 'component_id'],
      ['delete_component', { page_id: ids.page, component_id: UNKNOWN }, 'component_id'],
      ['list_incidents', { page_id: UNKNOWN }, 'page_id'],
      ['get_incident_details', { page_id: ids.page, incident_id: UNKNOWN }, 'incident_id'],
      [
        'create_incident',
        { page_id: ids.page, name: 'x', status: 'investigating', components: { [UNKNOWN]: 'major_outage' } },
        'components',
      ],
      ['patch_incident', { page_id: ids.page, incident_id: UNKNOWN, name: 'x' }, 'incident_id'],
      ['delete_incident', { page_id: ids.page, incident_id: UNKNOWN }, 'incident_id'],
      [
        'add_incident_update',
        { page_id: ids.page, incident_id: UNKNOWN, update_data: { body: 'x', status: 'monitoring' } },
        'incident_id',
      ],
      [
        'delete_incident_update',
        { page_id: ids.page, incident_id: ids.statusIncident, update_id: UNKNOWN },
        'update_id',
      ],
      ['get_check_details', { check_id: UNKNOWN }, 'check_id'],
      ['update_check', { check_id: UNKNOWN, name: 'x' }, 'check_id'],
      ['delete_check', { check_id: UNKNOWN }, 'check_id'],
      ['pause_check', { check_id: UNKNOWN }, 'check_id'],
      ['get_check_results', { check_id: UNKNOWN }, 'check_id'],
      ['get_check_statistics', { check_id: UNKNOWN }, 'check_id'],
      ['execute_existing_check', { check_id: UNKNOWN }, 'check_id'],
      ['get_on_demand_job_status', { job_id: UNKNOWN }, 'job_id'],
      ['get_check_group_details', { group_id: UNKNOWN }, 'group_id'],
      ['get_checks_in_group', { group_id: UNKNOWN }, 'group_id'],
      ['delete_check_group', { group_id: UNKNOWN }, 'group_id'],
      ['create_check', { name: 'x', type: 'web', url: 'https://a.io', group_id: UNKNOWN }, 'group_id'],
      ['get_alert_details', { alert_id: UNKNOWN }, 'alert_id'],
      ['update_alert', { alert_id: UNKNOWN, alert_data: { name: 'x' } }, 'alert_id'],
      ['delete_alert', { alert_id: UNKNOWN }, 'alert_id'],
      ['update_alert_channel', { channel_id: UNKNOWN, name: 'x' }, 'channel_id'],
      ['delete_alert_channel', { channel_id: UNKNOWN }, 'channel_id'],
      ['get_secret_details', { secret_id: UNKNOWN }, 'secret_id'],
      ['update_secret', { secret_id: UNKNOWN, value: 'x' }, 'secret_id'],
      ['delete_secret', { secret_id: UNKNOWN }, 'secret_id'],
      ['get_check_secrets', { check_id: UNKNOWN }, 'check_id'],
      ['add_secret_to_check', { check_id: ids.check, secret_id: UNKNOWN, env_var_name: 'X' }, 'secret_id'],
      [
        'create_alert',
        { alert_data: { name: 'x', check_id: UNKNOWN, condition: 'check_failed' } },
        'alert_data.check_id',
      ],
      [
        'create_schedule',
        {
          name: 'Ghost rota',
          time_zone: 'UTC',
          schedule_layers: [
            { start: '2026-01-05T09:00:00Z', rotation_turn_length_seconds: 86_400, users: [UNKNOWN] },
          ],
        },
        'schedule_layers[0].users',
      ],
      [
        'create_escalation_policy',
        {
          name: 'Ghost policy',
          escalation_rules: [
            { escalation_delay_in_minutes: 5, targets: [{ id: UNKNOWN, type: 'schedule_reference' }] },
          ],
        },
        'escalation_rules[0].targets',
      ],
    ];
    for (const [tool, args, parameter] of cases) {
      const r = await callJson(client, tool, args);
      expect(r.body.error, `${tool} ${JSON.stringify(args)}`).toMatchObject({
        code: 'NOT_FOUND',
        details: { parameter, id: UNKNOWN },
      });
    }
    expect(await counts()).toEqual(before);
    const team = (await callJson(client, 'get_teams', { team_id: ids.team })).body.teams[0];
    expect(team.members.map((m: { id: string }) => m.id)).toEqual([ids.user]);
  });

  it('answers a malformed tools/call with a JSON-RPC error and keeps serving', async () => {
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    };
    await fetch(`${server.base}/mcp`, { method: 'POST', headers, body: JSON.stringify(init) });
    const res = await fetch(`${server.base}/mcp`, {
      method: 'POST',
      headers: { ...headers, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'get_teams', arguments: 'not an object' },
      }),
    });
    const text = await res.text();
    expect(text).toMatch(/-32602|VALIDATION_ERROR/);
    expect((await callJson(client, 'get_teams', {})).isError).toBe(false);
  });
});
