/**
 * Versioned migrations, one list for SQLite and PostgreSQL. Append; never edit a released one.
 */
import { randomUUID } from 'node:crypto';
import { type Kysely, type Migration, type MigrationProvider, PostgresAdapter, sql } from 'kysely';

const m001: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('email_lower', 'text', (c) => c.notNull().unique())
      .addColumn('time_zone', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('contact_methods')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('label', 'text')
      .execute();
    await db.schema.createIndex('contact_methods_user').on('contact_methods').column('user_id').execute();
    await db.schema
      .createTable('teams')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_lower', 'text', (c) => c.notNull().unique())
      .addColumn('description', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('team_members')
      .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'user_id'])
      .execute();
    await db.schema.createIndex('team_members_user').on('team_members').column('user_id').execute();
    await db.schema
      .createTable('escalation_policies')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('num_loops', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('escalation_rules')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('policy_id', 'text', (c) =>
        c.notNull().references('escalation_policies.id').onDelete('cascade'),
      )
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('delay_minutes', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('escalation_targets')
      .addColumn('rule_id', 'text', (c) => c.notNull().references('escalation_rules.id').onDelete('cascade'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('escalation_targets_target')
      .on('escalation_targets')
      .columns(['target_type', 'target_id'])
      .execute();
    await db.schema
      .createTable('services')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_lower', 'text', (c) => c.notNull().unique())
      .addColumn('description', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('escalation_policy_id', 'text', (c) =>
        c.references('escalation_policies.id').onDelete('set null'),
      )
      .addColumn('integration_key', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('service_teams')
      .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
      .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('service_teams_pk', ['service_id', 'team_id'])
      .execute();
    await db.schema.createIndex('service_teams_team').on('service_teams').column('team_id').execute();
    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('toolsets', 'text')
      .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema
      .createTable('engine_lease')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('acquired_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};

const m002: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('sequences')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('incidents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('number', 'integer', (c) => c.notNull().unique())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('urgency', 'text', (c) => c.notNull())
      .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
      .addColumn('escalation_policy_id', 'text', (c) =>
        c.references('escalation_policies.id').onDelete('set null'),
      )
      .addColumn('incident_key', 'text')
      .addColumn('details', 'text')
      .addColumn('client_url', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('last_status_change_at', 'text', (c) => c.notNull())
      .addColumn('last_status_change_by_type', 'text')
      .addColumn('last_status_change_by_id', 'text')
      .addColumn('resolved_at', 'text')
      .execute();
    await db.schema
      .createIndex('incidents_service_created')
      .on('incidents')
      .columns(['service_id', 'created_at'])
      .execute();
    await db.schema.createIndex('incidents_created').on('incidents').column('created_at').execute();
    // At most one open incident per service and key: concurrent triggers with one key cannot both open one.
    await db.schema
      .createIndex('incidents_open_key')
      .on('incidents')
      .columns(['service_id', 'incident_key'])
      .unique()
      .where(sql.ref('status'), '<>', 'resolved')
      .execute();
    await db.schema
      .createTable('incident_assignments')
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('incident_assignments_pk', ['incident_id', 'user_id'])
      .execute();
    await db.schema
      .createIndex('incident_assignments_user')
      .on('incident_assignments')
      .column('user_id')
      .execute();
    await db.schema
      .createTable('incident_acknowledgements')
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('incident_acknowledgements_pk', ['incident_id', 'user_id'])
      .execute();
    await db.schema
      .createTable('incident_notes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('content', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('incident_notes_incident')
      .on('incident_notes')
      .column('incident_id')
      .execute();
    await db.schema
      .createTable('incident_alerts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('resolved_at', 'text')
      .execute();
    await db.schema
      .createIndex('incident_alerts_incident')
      .on('incident_alerts')
      .column('incident_id')
      .execute();
  },
};

const m003: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('escalation_policy_teams')
      .addColumn('policy_id', 'text', (c) =>
        c.notNull().references('escalation_policies.id').onDelete('cascade'),
      )
      .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('escalation_policy_teams_pk', ['policy_id', 'team_id'])
      .execute();
    await db.schema
      .createIndex('escalation_policies_name_lower')
      .on('escalation_policies')
      .expression(sql`lower(name)`)
      .unique()
      .execute();
  },
};

const m004: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('contact_methods').addColumn('secret', 'text').execute();
    await db.schema
      .createTable('incident_escalations')
      .addColumn('incident_id', 'text', (c) => c.primaryKey().references('incidents.id').onDelete('cascade'))
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('level', 'integer', (c) => c.notNull())
      .addColumn('loop', 'integer', (c) => c.notNull())
      .addColumn('next_at', 'bigint', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('incident_escalations_due')
      .on('incident_escalations')
      .columns(['state', 'next_at'])
      .execute();
    await db.schema
      .createTable('notification_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('level', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('secret', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'text')
      .execute();
    await db.schema
      .createIndex('notification_deliveries_due')
      .on('notification_deliveries')
      .columns(['status', 'next_attempt_at'])
      .execute();
    await db.schema
      .createIndex('notification_deliveries_incident')
      .on('notification_deliveries')
      .column('incident_id')
      .execute();
  },
};

const m005: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('incident_log')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor_type', 'text')
      .addColumn('actor_id', 'text')
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('details', 'text')
      .execute();
    await db.schema
      .createIndex('incident_log_incident')
      .on('incident_log')
      .columns(['incident_id', 'at', 'seq'])
      .execute();
  },
};

const m006: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('incidents').addColumn('snoozed_until', 'bigint').execute();
  },
};

const m007: Migration = {
  async up(db: Kysely<unknown>) {
    // Alert counts per status are read with every incident; keep them an index-only count.
    await db.schema
      .createIndex('incident_alerts_status')
      .on('incident_alerts')
      .columns(['incident_id', 'status'])
      .execute();
  },
};

const m008: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('schedules')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_lower', 'text', (c) => c.notNull().unique())
      .addColumn('description', 'text')
      .addColumn('time_zone', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    // Instants are milliseconds since the epoch: rendering compares and adds them.
    await db.schema
      .createTable('schedule_layers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('schedule_id', 'text', (c) => c.notNull().references('schedules.id').onDelete('cascade'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('start_at', 'bigint', (c) => c.notNull())
      .addColumn('end_at', 'bigint')
      .addColumn('virtual_start_at', 'bigint', (c) => c.notNull())
      .addColumn('turn_seconds', 'integer', (c) => c.notNull())
      .addColumn('restrictions', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('schedule_layers_schedule')
      .on('schedule_layers')
      .column('schedule_id')
      .execute();
    await db.schema
      .createTable('schedule_layer_users')
      .addColumn('layer_id', 'text', (c) => c.notNull().references('schedule_layers.id').onDelete('cascade'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addPrimaryKeyConstraint('schedule_layer_users_pk', ['layer_id', 'position'])
      .execute();
    await db.schema
      .createIndex('schedule_layer_users_user')
      .on('schedule_layer_users')
      .column('user_id')
      .execute();
    await db.schema
      .createTable('schedule_overrides')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('schedule_id', 'text', (c) => c.notNull().references('schedules.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('start_at', 'bigint', (c) => c.notNull())
      .addColumn('end_at', 'bigint', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('schedule_overrides_window')
      .on('schedule_overrides')
      .columns(['schedule_id', 'end_at'])
      .execute();
    await db.schema
      .createTable('schedule_teams')
      .addColumn('schedule_id', 'text', (c) => c.notNull().references('schedules.id').onDelete('cascade'))
      .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('schedule_teams_pk', ['schedule_id', 'team_id'])
      .execute();
  },
};

const m009: Migration = {
  async up(db: Kysely<unknown>) {
    // Instants the engine compares are milliseconds since the epoch.
    await db.schema
      .createTable('heartbeats')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token', 'text', (c) => c.notNull().unique())
      .addColumn('active', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('period_seconds', 'integer')
      .addColumn('cron', 'text')
      .addColumn('time_zone', 'text', (c) => c.notNull())
      .addColumn('grace_seconds', 'integer', (c) => c.notNull())
      .addColumn('last_ping_at', 'bigint')
      .addColumn('last_start_at', 'bigint')
      .addColumn('next_expected_at', 'bigint')
      .addColumn('check_at', 'bigint')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('heartbeats_check_at').on('heartbeats').column('check_at').execute();
    await db.schema
      .createTable('heartbeat_pings')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('heartbeat_id', 'text', (c) => c.notNull().references('heartbeats.id').onDelete('cascade'))
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('exit_code', 'integer')
      .addColumn('source_ip', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('body', 'text')
      .addColumn('truncated', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('heartbeat_pings_received')
      .on('heartbeat_pings')
      .columns(['heartbeat_id', 'received_at'])
      .execute();
    await db.schema
      .createTable('heartbeat_flips')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('heartbeat_id', 'text', (c) => c.notNull().references('heartbeats.id').onDelete('cascade'))
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('from_status', 'text', (c) => c.notNull())
      .addColumn('to_status', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('heartbeat_flips_heartbeat')
      .on('heartbeat_flips')
      .columns(['heartbeat_id', 'at'])
      .execute();
  },
};

const m010: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('check_groups')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('color', 'text')
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('checks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('url', 'text')
      .addColumn('host', 'text')
      .addColumn('port', 'integer')
      .addColumn('interval', 'integer', (c) => c.notNull())
      .addColumn('timeout', 'integer', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('group_id', 'text', (c) => c.references('check_groups.id').onDelete('set null'))
      .addColumn('parameters', 'text', (c) => c.notNull())
      .addColumn('failure_threshold', 'integer', (c) => c.notNull())
      .addColumn('recovery_threshold', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('consecutive', 'integer', (c) => c.notNull())
      .addColumn('last_result', 'text')
      .addColumn('last_checked_at', 'bigint')
      .addColumn('next_run_at', 'bigint')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('checks_next_run').on('checks').columns(['active', 'next_run_at']).execute();
    await db.schema
      .createTable('check_results')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('check_id', 'text', (c) => c.notNull().references('checks.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('response_time', 'integer', (c) => c.notNull())
      .addColumn('error_message', 'text')
      .addColumn('metadata', 'text', (c) => c.notNull())
      .addColumn('result_type', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('check_results_check_time')
      .on('check_results')
      .columns(['check_id', 'created_at'])
      .execute();
    await db.schema.createIndex('check_results_time').on('check_results').column('created_at').execute();
    await db.schema
      .createTable('check_status_history')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('check_id', 'text', (c) => c.notNull().references('checks.id').onDelete('cascade'))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('check_status_history_check')
      .on('check_status_history')
      .columns(['check_id', 'started_at'])
      .execute();
    await db.schema
      .createTable('check_jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('check_id', 'text', (c) => c.references('checks.id').onDelete('set null'))
      .addColumn('job_type', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('check_parameters', 'text', (c) => c.notNull())
      .addColumn('result', 'text')
      .addColumn('error_message', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'bigint')
      .addColumn('completed_at', 'bigint')
      .execute();
    await db.schema.createIndex('check_jobs_created').on('check_jobs').column('created_at').execute();
  },
};

const m011: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('alert_channels')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('configuration', 'text', (c) => c.notNull())
      .addColumn('secret', 'text')
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('alert_rules')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('check_id', 'text', (c) => c.references('checks.id').onDelete('cascade'))
      .addColumn('heartbeat_id', 'text', (c) => c.references('heartbeats.id').onDelete('cascade'))
      .addColumn('condition', 'text', (c) => c.notNull())
      .addColumn('condition_parameters', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('cooldown_period', 'integer', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('auto_resolve', 'integer', (c) => c.notNull())
      .addColumn('service_id', 'text', (c) => c.references('services.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('alert_rules_check').on('alert_rules').column('check_id').execute();
    await db.schema.createIndex('alert_rules_heartbeat').on('alert_rules').column('heartbeat_id').execute();
    await db.schema
      .createTable('alert_rule_channels')
      .addColumn('rule_id', 'text', (c) => c.notNull().references('alert_rules.id').onDelete('cascade'))
      .addColumn('channel_id', 'text', (c) => c.notNull().references('alert_channels.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('alert_rule_channels_pk', ['rule_id', 'channel_id'])
      .execute();
    await db.schema
      .createTable('alerts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('rule_id', 'text', (c) => c.notNull().references('alert_rules.id').onDelete('cascade'))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('fired_at', 'bigint', (c) => c.notNull())
      .addColumn('resolved_at', 'bigint')
      .addColumn('incident_id', 'text')
      .addColumn('metadata', 'text', (c) => c.notNull())
      .execute();
    // One active alert per rule: a second firing while one is active is the same alert.
    await db.schema
      .createIndex('alerts_active_rule')
      .on('alerts')
      .column('rule_id')
      .unique()
      .where(sql.ref('status'), '<>', 'resolved')
      .execute();
    await db.schema.createIndex('alerts_fired').on('alerts').column('fired_at').execute();
    await db.schema
      .createTable('alert_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id').onDelete('cascade'))
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('secret', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('delivered_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('alert_deliveries_due')
      .on('alert_deliveries')
      .columns(['status', 'next_attempt_at'])
      .execute();
  },
};

const m012: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('secrets')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('ciphertext', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('check_secrets')
      .addColumn('check_id', 'text', (c) => c.notNull().references('checks.id').onDelete('cascade'))
      .addColumn('secret_id', 'text', (c) => c.notNull().references('secrets.id').onDelete('cascade'))
      .addColumn('env_variable', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('check_secrets_pk', ['check_id', 'secret_id'])
      .execute();
  },
};

const m013: Migration = {
  async up(db: Kysely<unknown>) {
    // Latency histograms in fixed buckets (see check-rollups.ts) add up across rows and periods.
    let table = db.schema
      .createTable('check_rollups')
      .addColumn('check_id', 'text', (c) => c.notNull().references('checks.id').onDelete('cascade'))
      .addColumn('period', 'text', (c) => c.notNull())
      .addColumn('start_at', 'bigint', (c) => c.notNull())
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('ok', 'integer', (c) => c.notNull())
      .addColumn('degraded', 'integer', (c) => c.notNull())
      .addColumn('failed', 'integer', (c) => c.notNull())
      .addColumn('timeout', 'integer', (c) => c.notNull())
      .addColumn('sum_ms', 'bigint', (c) => c.notNull())
      .addColumn('min_ms', 'integer', (c) => c.notNull())
      .addColumn('max_ms', 'integer', (c) => c.notNull());
    for (let i = 0; i < 16; i++) table = table.addColumn(`b${i}`, 'integer', (c) => c.notNull());
    await table.addPrimaryKeyConstraint('check_rollups_pk', ['check_id', 'period', 'start_at']).execute();
  },
};

const m014: Migration = {
  async up(db: Kysely<unknown>) {
    // Booleans are integers 0/1, as elsewhere in the store; subdomain and domain are kept lower-case.
    let pages = db.schema
      .createTable('status_pages')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('subdomain', 'text', (c) => c.unique())
      .addColumn('domain', 'text', (c) => c.unique())
      .addColumn('language', 'text', (c) => c.notNull())
      .addColumn('time_zone', 'text', (c) => c.notNull());
    for (const col of ['url', 'headline', 'page_description', 'country', 'city', 'state', 'support_url']) {
      pages = pages.addColumn(col, 'text');
    }
    for (const col of [
      'viewers_must_be_team_members',
      'hidden_from_search',
      'allow_page_subscribers',
      'allow_incident_subscribers',
      'allow_email_subscribers',
      'allow_sms_subscribers',
      'allow_webhook_subscribers',
      'allow_rss_atom_feeds',
    ]) {
      pages = pages.addColumn(col, 'integer', (c) => c.notNull());
    }
    await pages
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('status_components')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('page_id', 'text', (c) => c.notNull().references('status_pages.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('is_group', 'integer', (c) => c.notNull())
      .addColumn('group_id', 'text', (c) => c.references('status_components.id').onDelete('set null'))
      .addColumn('only_show_if_degraded', 'integer', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('showcase', 'integer', (c) => c.notNull())
      .addColumn('start_date', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('status_components_page').on('status_components').column('page_id').execute();
    await db.schema
      .createTable('status_incidents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('page_id', 'text', (c) => c.notNull().references('status_pages.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('body', 'text')
      .addColumn('impact', 'text', (c) => c.notNull())
      .addColumn('deliver_notifications', 'integer', (c) => c.notNull())
      .addColumn('metadata', 'text', (c) => c.notNull())
      .addColumn('scheduled_for', 'text')
      .addColumn('scheduled_until', 'text')
      .addColumn('scheduling', 'text', (c) => c.notNull())
      .addColumn('resolved_at', 'text')
      .addColumn('monitoring_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('status_incidents_page')
      .on('status_incidents')
      .columns(['page_id', 'created_at'])
      .execute();
    await db.schema
      .createTable('status_incident_components')
      .addColumn('incident_id', 'text', (c) =>
        c.notNull().references('status_incidents.id').onDelete('cascade'),
      )
      .addColumn('component_id', 'text', (c) =>
        c.notNull().references('status_components.id').onDelete('cascade'),
      )
      .addColumn('status', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('status_incident_components_pk', ['incident_id', 'component_id'])
      .execute();
    await db.schema
      .createIndex('status_incident_components_component')
      .on('status_incident_components')
      .column('component_id')
      .execute();
    await db.schema
      .createTable('status_incident_updates')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('incident_id', 'text', (c) =>
        c.notNull().references('status_incidents.id').onDelete('cascade'),
      )
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('components', 'text', (c) => c.notNull())
      .addColumn('deliver_notifications', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('status_incident_updates_incident')
      .on('status_incident_updates')
      .columns(['incident_id', 'created_at'])
      .execute();
  },
};

const m015: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('alert_rules')
      .addColumn('component_id', 'text', (c) => c.references('status_components.id').onDelete('set null'))
      .execute();
    await db.schema.alterTable('alert_rules').addColumn('component_status', 'text').execute();
  },
};

/**
 * Alert rules that send Events API v2 events to PagerDuty: the rule's routing key, and on each
 * event's delivery its dedup key, its place among that key's events (they go out in order) and
 * the event body as built when the alert fired or resolved.
 */
const m016: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('alert_rules').addColumn('routing_key', 'text').execute();
    await db.schema.alterTable('alert_deliveries').addColumn('dedup_key', 'text').execute();
    await db.schema.alterTable('alert_deliveries').addColumn('seq', 'integer').execute();
    await db.schema.alterTable('alert_deliveries').addColumn('body', 'text').execute();
    await db.schema
      .createIndex('alert_deliveries_dedup')
      .on('alert_deliveries')
      .columns(['dedup_key', 'seq'])
      .execute();
  },
};

/**
 * Status-page components linked to checks: the links, how long a component waits before it
 * follows its checks, and the status its checks call for while that wait runs (with its start).
 */
const m017: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('status_component_checks')
      .addColumn('component_id', 'text', (c) =>
        c.notNull().references('status_components.id').onDelete('cascade'),
      )
      .addColumn('check_id', 'text', (c) => c.notNull().references('checks.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('status_component_checks_pk', ['component_id', 'check_id'])
      .execute();
    await db.schema
      .createIndex('status_component_checks_check')
      .on('status_component_checks')
      .column('check_id')
      .execute();
    await db.schema
      .alterTable('status_components')
      .addColumn('automation_delay_seconds', 'integer', (c) => c.notNull().defaultTo(60))
      .execute();
    await db.schema.alterTable('status_components').addColumn('check_status', 'text').execute();
    await db.schema.alterTable('status_components').addColumn('check_status_since', 'bigint').execute();
  },
};

/** One row per probe name, upserted by /healthz to prove the database takes writes. */
const m018: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('store_probe')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('written_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};

/**
 * The engine's work shared by claims: the outbox of facts that cause later work, and on checks
 * the token and expiry of the claim a process holds on them (writes under a claim check its
 * token, so a process whose claim lapsed records nothing).
 */
const m019: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('engine_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('claim_token', 'text')
      .addColumn('claimed_until', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('engine_events_subject')
      .on('engine_events')
      .columns(['subject', 'created_at'])
      .execute();
    await db.schema.createIndex('engine_events_due').on('engine_events').column('claimed_until').execute();
    // Tells two processes whether they share a store (a stdio process finding a listener on its port).
    await db.schema
      .createTable('store_meta')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
    await sql`insert into store_meta (name, value) values ('id', ${randomUUID()})`.execute(db);
    await db.schema.alterTable('checks').addColumn('claim_token', 'text').execute();
    await db.schema
      .alterTable('checks')
      .addColumn('claimed_until', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};

/**
 * One delivery outbox for every notification: pages to people (incident, user, level), alert
 * notifications (alert, channel) and Events API events (alert, dedup key, order, body). The two
 * tables it replaces are copied in and dropped.
 */
const m020: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('secret', 'text')
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('incident_id', 'text', (c) => c.references('incidents.id').onDelete('cascade'))
      .addColumn('user_id', 'text')
      .addColumn('level', 'integer')
      .addColumn('alert_id', 'text', (c) => c.references('alerts.id').onDelete('cascade'))
      .addColumn('channel_id', 'text')
      .addColumn('dedup_key', 'text')
      .addColumn('seq', 'integer')
      .addColumn('body', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('delivered_at', 'bigint')
      .addColumn('claim_token', 'text')
      .addColumn('claimed_until', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('deliveries_due')
      .on('deliveries')
      .columns(['status', 'next_attempt_at'])
      .execute();
    await db.schema.createIndex('deliveries_dedup').on('deliveries').columns(['dedup_key', 'seq']).execute();
    await db.schema.createIndex('deliveries_alert').on('deliveries').column('alert_id').execute();
    await db.schema.createIndex('deliveries_incident').on('deliveries').column('incident_id').execute();
    // Copied in JavaScript: the two stores write ISO text to milliseconds differently.
    const ms = (iso: unknown) => (iso === null ? null : Date.parse(String(iso)));
    const pages = (
      await sql<Record<string, unknown>>`select * from notification_deliveries`.execute(db)
    ).rows.map((r) => ({
      ...r,
      created_at: ms(r.created_at),
      delivered_at: ms(r.delivered_at),
      claim_token: null,
      claimed_until: 0,
    }));
    const alerts = (await sql<Record<string, unknown>>`select * from alert_deliveries`.execute(db)).rows.map(
      (r) => ({ ...r, created_at: r.next_attempt_at, claim_token: null, claimed_until: 0 }),
    );
    const rows = [...pages, ...alerts];
    for (let i = 0; i < rows.length; i += 50) {
      await (db as Kysely<{ deliveries: Record<string, unknown> }>)
        .insertInto('deliveries')
        .values(rows.slice(i, i + 50))
        .execute();
    }
    await db.schema.dropTable('notification_deliveries').execute();
    await db.schema.dropTable('alert_deliveries').execute();
  },
};

/** The audit trail: writes one row each, pings and events one counting row per hour. */
const m021: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('actor_label', 'text', (c) => c.notNull())
      .addColumn('actor_user', 'text')
      .addColumn('address', 'text')
      .addColumn('entry_point', 'text', (c) => c.notNull())
      .addColumn('tool', 'text', (c) => c.notNull())
      .addColumn('object_ids', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('bucket', 'text', (c) => c.unique())
      .execute();
    await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at', 'id']).execute();
  },
};

/**
 * Personal notification rules: assignment rules (contact method, delay, urgency), on-call handoff
 * rules, and one row per handoff notice queued (its key makes each notice go out once, whichever
 * process sweeps); and the urgency a service gives the incidents it opens.
 */
const m023: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('notification_rules')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('contact_method_id', 'text', (c) =>
        c.notNull().references('contact_methods.id').onDelete('cascade'),
      )
      .addColumn('start_delay_minutes', 'integer', (c) => c.notNull())
      .addColumn('urgency', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('notification_rules_user')
      .on('notification_rules')
      .columns(['user_id', 'urgency'])
      .execute();
    await db.schema
      .createTable('handoff_rules')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('contact_method_id', 'text', (c) =>
        c.notNull().references('contact_methods.id').onDelete('cascade'),
      )
      .addColumn('notify_advance_minutes', 'integer', (c) => c.notNull())
      .addColumn('handoff_type', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('handoff_rules_user').on('handoff_rules').column('user_id').execute();
    await db.schema
      .createTable('handoff_notices')
      .addColumn('rule_id', 'text', (c) => c.notNull().references('handoff_rules.id').onDelete('cascade'))
      .addColumn('schedule_id', 'text', (c) => c.notNull())
      .addColumn('edge', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('queued_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('handoff_notices_pk', ['rule_id', 'schedule_id', 'edge', 'at'])
      .execute();
    await db.schema.createIndex('handoff_notices_queued').on('handoff_notices').column('queued_at').execute();
    await db.schema.alterTable('services').addColumn('incident_urgency', 'text').execute();
  },
};

/**
 * Service maintenance windows (PagerDuty's shape): their services, the Events API triggers they
 * silenced, and on alerts what silenced one (its notifications and incident wait for the end).
 */
const m022: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('maintenance_windows')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('description', 'text')
      .addColumn('start_at', 'bigint', (c) => c.notNull())
      .addColumn('end_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('maintenance_windows_end')
      .on('maintenance_windows')
      .column('end_at')
      .execute();
    await db.schema
      .createTable('maintenance_window_services')
      .addColumn('window_id', 'text', (c) =>
        c.notNull().references('maintenance_windows.id').onDelete('cascade'),
      )
      .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('maintenance_window_services_pk', ['window_id', 'service_id'])
      .execute();
    await db.schema
      .createIndex('maintenance_window_services_service')
      .on('maintenance_window_services')
      .column('service_id')
      .execute();
    await db.schema
      .createTable('suppressed_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
      .addColumn('window_id', 'text')
      .addColumn('dedup_key', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('suppressed_events_service')
      .on('suppressed_events')
      .columns(['service_id', 'received_at'])
      .execute();
    await db.schema.alterTable('alerts').addColumn('suppressed_by', 'text').execute();
  },
};

/**
 * Status-page subscribers (email, webhook and chat), the components each is limited to, the
 * maintenance reminders already sent, and what a subscriber's delivery is about.
 */
const m024: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('status_subscribers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('page_id', 'text', (c) => c.notNull().references('status_pages.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('address_lower', 'text', (c) => c.notNull())
      .addColumn('secret', 'text')
      .addColumn('link_key', 'text', (c) => c.notNull())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('limited', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('confirmed_at', 'text')
      .addColumn('rejected_at', 'text')
      .addColumn('rejection', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('status_subscribers_address', ['page_id', 'kind', 'address_lower'])
      .execute();
    await db.schema
      .createIndex('status_subscribers_created')
      .on('status_subscribers')
      .columns(['confirmed_at', 'created_at'])
      .execute();
    await db.schema
      .createTable('status_subscriber_components')
      .addColumn('subscriber_id', 'text', (c) =>
        c.notNull().references('status_subscribers.id').onDelete('cascade'),
      )
      .addColumn('component_id', 'text', (c) =>
        c.notNull().references('status_components.id').onDelete('cascade'),
      )
      .addPrimaryKeyConstraint('status_subscriber_components_pk', ['subscriber_id', 'component_id'])
      .execute();
    await db.schema
      .createTable('status_subscriber_reminders')
      .addColumn('incident_id', 'text', (c) =>
        c.notNull().references('status_incidents.id').onDelete('cascade'),
      )
      .addColumn('remind_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('status_subscriber_reminders_pk', ['incident_id', 'remind_at'])
      .execute();
    for (const column of ['subscriber_id', 'status_incident_id', 'status_update_id'])
      await db.schema.alterTable('deliveries').addColumn(column, 'text').execute();
    await db.schema
      .createIndex('deliveries_status_update')
      .on('deliveries')
      .column('status_update_id')
      .execute();
    await db.schema
      .createIndex('deliveries_status_incident')
      .on('deliveries')
      .column('status_incident_id')
      .execute();
  },
};

/**
 * Subscribe requests from public status pages, counted per client address and per email address
 * in the store, so the limits hold across every node sharing it (status-subscribe-limits.ts); and
 * deliveries found by subscriber, whose address is wiped when it leaves.
 */
const m025: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('status_subscribe_limits')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('hits', 'text', (c) => c.notNull())
      .addColumn('last_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('status_subscribe_limits_last')
      .on('status_subscribe_limits')
      .column('last_at')
      .execute();
    await db.schema.createIndex('deliveries_subscriber').on('deliveries').column('subscriber_id').execute();
  },
};

/** The processes running checks, so that together they poll for due checks as often as one would. */
const m026: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('check_nodes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('seen_until', 'bigint', (c) => c.notNull())
      .execute();
  },
};

/**
 * PostgreSQL only: room on each page of `checks`, so that a claim or its renewal, which changes
 * no indexed column, rewrites its row in place (a HOT update) instead of adding an entry to
 * `checks_next_run` that every claim after it steps over until a vacuum. Rows written before
 * this move to roomier pages as they are updated.
 */
const m027: Migration = {
  async up(db: Kysely<unknown>) {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
    await sql`alter table checks set (fillfactor = 70)`.execute(db);
  },
};

export const MIGRATIONS: Record<string, Migration> = {
  '001_directory_keys_lease': m001,
  '002_incidents': m002,
  '003_escalation_policy_teams': m003,
  '004_escalation_notifications': m004,
  '005_incident_log': m005,
  '006_incident_snooze': m006,
  '007_incident_alert_status_index': m007,
  '008_schedules': m008,
  '009_heartbeats': m009,
  '010_checks': m010,
  '011_alerts': m011,
  '012_secrets': m012,
  '013_check_rollups': m013,
  '014_status_pages': m014,
  '015_alert_components': m015,
  '016_alert_pagerduty_events': m016,
  '017_status_component_checks': m017,
  '018_store_probe': m018,
  '019_engine_claims': m019,
  '020_delivery_outbox': m020,
  '021_audit_log': m021,
  '022_maintenance_windows': m022,
  '023_notification_rules': m023,
  '024_status_subscribers': m024,
  '025_status_subscribe_limits': m025,
  '026_check_nodes': m026,
  '027_checks_fillfactor': m027,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
