/**
 * Escalation policies on the embedded store: rules with their delay and targets, teams, and the
 * services that use each policy. A policy's rules are replaced as a whole on update.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Page } from '../../../core/directory.js';
import { ConflictError, NotFoundError } from '../../../core/errors.js';
import type {
  EscalationPolicy,
  EscalationPolicyFilter,
  EscalationPolicyInput,
  EscalationPort,
} from '../../../core/escalation.js';
import { newId, now } from './ids.js';
import { type Db, groupBy, mustAllExist, mustExist, page, policiesPaging } from './repo-helpers.js';
import type { Database, EscalationPoliciesTable } from './schema.js';
import { likePattern, uniquely } from './sql-errors.js';

export class EscalationRepository implements EscalationPort {
  constructor(private readonly db: Kysely<Database>) {}

  async getPolicy(id: string): Promise<EscalationPolicy | undefined> {
    const row = await this.db
      .selectFrom('escalation_policies')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? (await this.hydrate(this.db, [row]))[0] : undefined;
  }

  async listPolicies(f: EscalationPolicyFilter): Promise<Page<EscalationPolicy>> {
    let q = this.db.selectFrom('escalation_policies').selectAll();
    if (f.query) q = q.where(sql`lower(name)`, 'like', sql<string>`${likePattern(f.query)} escape '\\'`);
    if (f.userIds) {
      const userIds = f.userIds;
      q = q.where('id', 'in', policiesPaging(this.db, userIds));
    }
    if (f.teamIds) {
      const teamIds = f.teamIds;
      q = q.where('id', 'in', (eb) =>
        eb.selectFrom('escalation_policy_teams').select('policy_id').where('team_id', 'in', teamIds),
      );
    }
    const rows = await q
      .orderBy(sql`lower(name)`)
      .orderBy('id')
      .limit(f.limit + 1)
      .offset(f.offset)
      .execute();
    const p = page(rows, f.limit);
    return { items: await this.hydrate(this.db, p.items), more: p.more };
  }

  async createPolicy(input: EscalationPolicyInput): Promise<EscalationPolicy> {
    const id = newId();
    const at = now();
    await this.db.transaction().execute(async (trx) => {
      await uniquely(`An escalation policy named '${input.name}' already exists.`, 'name', () =>
        trx
          .insertInto('escalation_policies')
          .values({
            id,
            name: input.name,
            description: input.description ?? null,
            num_loops: input.num_loops ?? 0,
            created_at: at,
            updated_at: at,
          })
          .execute(),
      );
      await this.replaceRules(trx, id, input.escalation_rules);
      await this.replaceTeams(trx, id, input.team_ids ?? []);
    });
    return this.mustGet(id);
  }

  async updatePolicy(id: string, patch: Partial<EscalationPolicyInput>): Promise<EscalationPolicy> {
    await this.db.transaction().execute(async (trx) => {
      await mustExist(trx, 'escalation_policies', id, 'escalation policy', 'policy_id');
      const set: Partial<EscalationPoliciesTable> = { updated_at: now() };
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.num_loops !== undefined) set.num_loops = patch.num_loops;
      await uniquely(`An escalation policy named '${patch.name}' already exists.`, 'name', () =>
        trx.updateTable('escalation_policies').set(set).where('id', '=', id).execute(),
      );
      if (patch.escalation_rules) await this.replaceRules(trx, id, patch.escalation_rules);
      if (patch.team_ids) await this.replaceTeams(trx, id, patch.team_ids);
    });
    return this.mustGet(id);
  }

  async deletePolicy(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await mustExist(trx, 'escalation_policies', id, 'escalation policy', 'policy_id');
      const users = await trx
        .selectFrom('services')
        .select(['id', 'name'])
        .where('escalation_policy_id', '=', id)
        .execute();
      if (users.length) {
        throw new ConflictError(
          `Escalation policy ${id} is used by ${users.map((s) => `${s.name} (${s.id})`).join(', ')}; give those services another policy first.`,
          { parameter: 'policy_id', service_ids: users.map((s) => s.id) },
        );
      }
      await trx.deleteFrom('escalation_policies').where('id', '=', id).execute();
    });
  }

  private async mustGet(id: string): Promise<EscalationPolicy> {
    const policy = await this.getPolicy(id);
    if (!policy) throw new NotFoundError('escalation policy', id, 'policy_id');
    return policy;
  }

  private async replaceRules(
    trx: Transaction<Database>,
    policyId: string,
    rules: EscalationPolicyInput['escalation_rules'],
  ) {
    for (const [i, rule] of rules.entries()) {
      const users = rule.targets.filter((t) => t.type === 'user_reference').map((t) => t.id);
      await mustAllExist(trx, 'users', users, 'user', `escalation_rules[${i}].targets`);
      const schedules = rule.targets.filter((t) => t.type === 'schedule_reference').map((t) => t.id);
      await mustAllExist(trx, 'schedules', schedules, 'schedule', `escalation_rules[${i}].targets`);
    }
    await trx.deleteFrom('escalation_rules').where('policy_id', '=', policyId).execute();
    for (const [position, rule] of rules.entries()) {
      const ruleId = newId();
      await trx
        .insertInto('escalation_rules')
        .values({
          id: ruleId,
          policy_id: policyId,
          position,
          delay_minutes: rule.escalation_delay_in_minutes,
        })
        .execute();
      if (rule.targets.length) {
        await trx
          .insertInto('escalation_targets')
          .values(
            rule.targets.map((t, i) => ({
              rule_id: ruleId,
              position: i,
              target_type: t.type,
              target_id: t.id,
            })),
          )
          .execute();
      }
    }
  }

  private async replaceTeams(trx: Transaction<Database>, policyId: string, teamIds: string[]) {
    const unique = [...new Set(teamIds)];
    await mustAllExist(trx, 'teams', unique, 'team', 'team_ids');
    await trx.deleteFrom('escalation_policy_teams').where('policy_id', '=', policyId).execute();
    if (unique.length) {
      await trx
        .insertInto('escalation_policy_teams')
        .values(unique.map((team_id) => ({ policy_id: policyId, team_id })))
        .execute();
    }
  }

  private async hydrate(db: Db, rows: EscalationPoliciesTable[]): Promise<EscalationPolicy[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [rules, targets, services, teams] = await Promise.all([
      db
        .selectFrom('escalation_rules')
        .selectAll()
        .where('policy_id', 'in', ids)
        .orderBy('position')
        .execute(),
      db
        .selectFrom('escalation_targets')
        .innerJoin('escalation_rules', 'escalation_rules.id', 'escalation_targets.rule_id')
        .leftJoin('users', (j) =>
          j
            .onRef('users.id', '=', 'escalation_targets.target_id')
            .on('escalation_targets.target_type', '=', 'user_reference'),
        )
        .leftJoin('schedules', (j) =>
          j
            .onRef('schedules.id', '=', 'escalation_targets.target_id')
            .on('escalation_targets.target_type', '=', 'schedule_reference'),
        )
        .select([
          'escalation_targets.rule_id',
          'escalation_targets.target_type',
          'escalation_targets.target_id',
          'users.name',
          'schedules.name as schedule_name',
        ])
        .where('escalation_rules.policy_id', 'in', ids)
        .orderBy('escalation_targets.position')
        .execute(),
      db
        .selectFrom('services')
        .select(['id', 'name', 'escalation_policy_id'])
        .where('escalation_policy_id', 'in', ids)
        .orderBy('name_lower')
        .execute(),
      db
        .selectFrom('escalation_policy_teams')
        .innerJoin('teams', 'teams.id', 'escalation_policy_teams.team_id')
        .select(['escalation_policy_teams.policy_id', 'teams.id', 'teams.name'])
        .where('escalation_policy_teams.policy_id', 'in', ids)
        .orderBy('teams.name_lower')
        .execute(),
    ]);
    const rulesBy = groupBy(rules, (r) => r.policy_id);
    const targetsBy = groupBy(targets, (t) => t.rule_id);
    const servicesBy = groupBy(services, (s) => s.escalation_policy_id);
    const teamsBy = groupBy(teams, (t) => t.policy_id);
    return rows.map((r) => ({
      id: r.id,
      type: 'escalation_policy',
      name: r.name,
      summary: r.name,
      ...(r.description !== null && { description: r.description }),
      num_loops: r.num_loops,
      escalation_rules: (rulesBy.get(r.id) ?? []).map((rule) => ({
        id: rule.id,
        escalation_delay_in_minutes: rule.delay_minutes,
        targets: (targetsBy.get(rule.id) ?? []).map((t) => ({
          id: t.target_id,
          type: t.target_type,
          summary: t.name ?? t.schedule_name ?? t.target_id,
        })),
      })),
      services: (servicesBy.get(r.id) ?? []).map((s) => ({ id: s.id, summary: s.name })),
      teams: (teamsBy.get(r.id) ?? []).map((t) => ({ id: t.id, summary: t.name })),
      created_at: r.created_at,
      updated_at: r.updated_at,
    }));
  }
}
