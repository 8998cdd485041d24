/**
 * Incident rows as the Incident domain type: service, teams, escalation policy, assignments,
 * acknowledgements, alert counts and who changed the status last, in a fixed number of queries
 * for any number of incidents.
 */
import { sql } from 'kysely';
import type { Incident, Ref } from '../../../core/incidents.js';
import { type Db, groupBy } from './repo-helpers.js';
import type { IncidentsTable } from './schema.js';

const refOf = (id: string, summary: string | undefined): Ref => ({ id, summary: summary ?? id });

export async function hydrateIncidents(db: Db, rows: IncidentsTable[]): Promise<Incident[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const serviceIds = [...new Set(rows.map((r) => r.service_id))];
  const policyIds = [
    ...new Set(rows.map((r) => r.escalation_policy_id).filter((x): x is string => x !== null)),
  ];
  const userActors = [
    ...new Set(
      rows
        .filter((r) => r.last_status_change_by_type === 'user')
        .map((r) => r.last_status_change_by_id as string),
    ),
  ];
  const [services, teams, policies, assigned, acked, alerts, actors] = await Promise.all([
    db.selectFrom('services').select(['id', 'name']).where('id', 'in', serviceIds).execute(),
    db
      .selectFrom('service_teams')
      .innerJoin('teams', 'teams.id', 'service_teams.team_id')
      .select(['service_teams.service_id', 'teams.id', 'teams.name'])
      .where('service_teams.service_id', 'in', serviceIds)
      .orderBy('teams.name_lower')
      .execute(),
    policyIds.length
      ? db.selectFrom('escalation_policies').select(['id', 'name']).where('id', 'in', policyIds).execute()
      : [],
    db
      .selectFrom('incident_assignments')
      .innerJoin('users', 'users.id', 'incident_assignments.user_id')
      .select(['incident_assignments.incident_id', 'incident_assignments.at', 'users.id', 'users.name'])
      .where('incident_assignments.incident_id', 'in', ids)
      .orderBy('incident_assignments.at')
      .execute(),
    db
      .selectFrom('incident_acknowledgements')
      .innerJoin('users', 'users.id', 'incident_acknowledgements.user_id')
      .select([
        'incident_acknowledgements.incident_id',
        'incident_acknowledgements.at',
        'users.id',
        'users.name',
      ])
      .where('incident_acknowledgements.incident_id', 'in', ids)
      .orderBy('incident_acknowledgements.at')
      .execute(),
    db
      .selectFrom('incident_alerts')
      .select(['incident_id', 'status', sql<number>`count(*)`.as('n')])
      .where('incident_id', 'in', ids)
      .groupBy(['incident_id', 'status'])
      .execute(),
    userActors.length
      ? db.selectFrom('users').select(['id', 'name']).where('id', 'in', userActors).execute()
      : [],
  ]);
  const serviceName = new Map(services.map((s) => [s.id, s.name]));
  const policyName = new Map(policies.map((p) => [p.id, p.name]));
  const actorName = new Map(actors.map((a) => [a.id, a.name]));
  const teamsBy = groupBy(teams, (t) => t.service_id);
  const assignedBy = groupBy(assigned, (a) => a.incident_id);
  const ackedBy = groupBy(acked, (a) => a.incident_id);
  const alertsBy = groupBy(alerts, (a) => a.incident_id);
  return rows.map((r): Incident => {
    const counts = { triggered: 0, resolved: 0, all: 0 };
    for (const a of alertsBy.get(r.id) ?? []) {
      const n = Number(a.n);
      if (a.status === 'triggered' || a.status === 'resolved') counts[a.status] += n;
      counts.all += n;
    }
    const byType = r.last_status_change_by_type;
    const byId = r.last_status_change_by_id;
    return {
      id: r.id,
      type: 'incident',
      incident_number: r.number,
      title: r.title,
      summary: `[#${r.number}] ${r.title}`,
      ...(r.description !== null && { description: r.description }),
      status: r.status,
      urgency: r.urgency,
      ...(r.incident_key !== null && { incident_key: r.incident_key }),
      created_at: r.created_at,
      updated_at: r.updated_at,
      last_status_change_at: r.last_status_change_at,
      ...(byType &&
        byId && {
          last_status_change_by: {
            ...refOf(byId, byType === 'user' ? actorName.get(byId) : serviceName.get(byId)),
            type: byType === 'user' ? 'user_reference' : 'service_reference',
          },
        }),
      ...(r.resolved_at !== null && { resolved_at: r.resolved_at }),
      ...(r.snoozed_until !== null && { snoozed_until: new Date(Number(r.snoozed_until)).toISOString() }),
      service: refOf(r.service_id, serviceName.get(r.service_id)),
      ...(r.escalation_policy_id !== null && {
        escalation_policy: refOf(r.escalation_policy_id, policyName.get(r.escalation_policy_id)),
      }),
      teams: (teamsBy.get(r.service_id) ?? []).map((t) => refOf(t.id, t.name)),
      assignments: (assignedBy.get(r.id) ?? []).map((a) => ({ assignee: refOf(a.id, a.name), at: a.at })),
      acknowledgements: (ackedBy.get(r.id) ?? []).map((a) => ({
        acknowledger: refOf(a.id, a.name),
        at: a.at,
      })),
      alert_counts: counts,
      ...(r.details !== null && { body_details: JSON.parse(r.details) as Record<string, unknown> }),
      ...(r.client_url !== null && { client_url: r.client_url }),
    };
  });
}
