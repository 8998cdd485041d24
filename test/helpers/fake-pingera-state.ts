/**
 * The data behind one account (organisation) of the fake Pingera API (fake-pingera.ts), built from its
 * seed (types in fake-pingera-model.ts) and changed by requests. Rendering in Pingera's shapes is done
 * by the route modules.
 *
 * Ids are 12 lower-case alphanumeric characters, as Pingera's (`tih6xo7z8v7n`); the fake makes them
 * from a two-letter kind and a counter shared by every account of one fake (`ck000000000a`), so an id
 * of one account is never another's. A seed may give its own ids, which other seed entries then name.
 */
import type {
  AlertState,
  ChannelState,
  CheckGroupState,
  CheckState,
  ComponentState,
  HeartbeatState,
  IncidentState,
  IncidentUpdateState,
  JobState,
  PageState,
  PingeraSeed,
  PingState,
  ResultState,
  RuleState,
  SecretState,
  SeedAlert,
  SeedAlertChannel,
  SeedAlertRule,
  SeedCheck,
  SeedCheckGroup,
  SeedHeartbeat,
  SeedIncident,
  SeedPage,
  SeedPing,
  SeedResult,
  SeedSecret,
} from './fake-pingera-model.js';

/** Makes ids unique across one fake's accounts. */
export class IdSource {
  private counter = 0;

  next(kind: string): string {
    this.counter += 1;
    return `${kind}${this.counter.toString(36).padStart(10, '0')}`;
  }
}

export const DEFAULT_REGION = 'EU, West';

function time(value: string, what: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`fake Pingera seed: ${what} is not a date: ${value}`);
  return ms;
}

/** One organisation's data. Maps keep insertion order; the routes sort and filter. */
export class PingeraAccount {
  readonly organizationId: string;
  readonly userId: string;
  readonly pages = new Map<string, PageState>();
  readonly components = new Map<string, ComponentState>();
  readonly incidents = new Map<string, IncidentState>();
  readonly checks = new Map<string, CheckState>();
  readonly results: ResultState[] = [];
  readonly checkGroups = new Map<string, CheckGroupState>();
  readonly jobs = new Map<string, JobState>();
  readonly heartbeats = new Map<string, HeartbeatState>();
  readonly pings: PingState[] = [];
  readonly secrets = new Map<string, SecretState>();
  readonly channels = new Map<string, ChannelState>();
  readonly rules = new Map<string, RuleState>();
  readonly alerts = new Map<string, AlertState>();

  constructor(
    seed: PingeraSeed,
    readonly ids: IdSource,
    readonly now: () => number,
  ) {
    this.organizationId = seed.organization_id ?? ids.next('or');
    this.userId = seed.user_id ?? ids.next('us');
    for (const g of seed.check_groups ?? []) this.seedCheckGroup(g);
    for (const s of seed.secrets ?? []) this.seedSecret(s);
    for (const p of seed.pages ?? []) this.seedPage(p);
    for (const c of seed.checks ?? []) this.seedCheck(c);
    for (const h of seed.heartbeats ?? []) this.seedHeartbeat(h);
    for (const c of seed.alert_channels ?? []) this.seedChannel(c);
    for (const r of seed.alert_rules ?? []) this.seedRule(r);
    for (const a of seed.alerts ?? []) this.seedAlert(a);
  }

  /** Adds results to a check (a test's way to make history); returns them. */
  addResults(checkId: string, results: SeedResult[]): ResultState[] {
    const check = this.checks.get(checkId);
    if (!check) throw new Error(`fake Pingera: no check ${checkId}`);
    return results.map((r, i) => {
      const state: ResultState = {
        id: r.id ?? this.ids.next('rs'),
        checkId,
        checkName: check.name,
        checkType: check.type,
        status: r.status,
        responseTime: r.response_time ?? null,
        errorMessage: r.error_message ?? null,
        region: r.region ?? DEFAULT_REGION,
        resultType: r.result_type ?? 'regular',
        metadata: r.check_metadata ?? {},
        createdAt: time(r.created_at, `results[${i}].created_at`),
      };
      this.results.push(state);
      return state;
    });
  }

  /** Adds pings to a heartbeat; returns them. */
  addPings(heartbeatId: string, pings: SeedPing[]): PingState[] {
    if (!this.heartbeats.has(heartbeatId)) throw new Error(`fake Pingera: no heartbeat ${heartbeatId}`);
    return pings.map((p, i) => {
      const state: PingState = {
        id: this.ids.next('pi'),
        checkId: heartbeatId,
        receivedAt: time(p.received_at, `pings[${i}].received_at`),
        sourceIp: p.source_ip ?? '203.0.113.7',
        userAgent: p.user_agent ?? 'curl/8.5.0',
        pingData: p.ping_data ?? null,
      };
      this.pings.push(state);
      return state;
    });
  }

  /** A check's regular results, newest first. */
  resultsOf(checkId: string): ResultState[] {
    const mine = this.results.filter((r) => r.checkId === checkId && r.resultType === 'regular');
    return mine.reverse().sort((a, b) => b.createdAt - a.createdAt);
  }

  /** `paused` when inactive, else the newest regular result's status, else `pending`. */
  checkStatus(check: CheckState): string {
    if (!check.active) return 'paused';
    return this.resultsOf(check.id)[0]?.status ?? 'pending';
  }

  private at(value: string | undefined, what: string): number {
    return value === undefined ? this.now() : time(value, what);
  }

  private seedPage(p: SeedPage): void {
    const { id, created_at, components, incidents, ...fields } = p;
    const createdAt = this.at(created_at, `page ${p.name} created_at`);
    const page: PageState = { id: id ?? this.ids.next('pg'), fields, createdAt, updatedAt: createdAt };
    this.pages.set(page.id, page);
    for (const c of components ?? []) {
      const at = this.at(c.created_at, `component ${c.name} created_at`);
      const state: ComponentState = {
        id: c.id ?? this.ids.next('cm'),
        pageId: page.id,
        name: c.name,
        description: c.description ?? null,
        group: c.group ?? false,
        groupId: c.group_id ?? null,
        position: c.position ?? this.components.size,
        showcase: c.showcase ?? true,
        onlyShowIfDegraded: c.only_show_if_degraded ?? false,
        startDate: c.start_date ? time(c.start_date, `component ${c.name} start_date`) : null,
        status: c.status ?? 'operational',
        createdAt: at,
        updatedAt: at,
        deletedAt: c.deleted ? at : null,
      };
      this.components.set(state.id, state);
    }
    for (const c of this.components.values()) {
      const group = c.groupId ? this.components.get(c.groupId) : undefined;
      if (c.pageId === page.id && c.groupId && (!group?.group || group.pageId !== page.id)) {
        throw new Error(`fake Pingera seed: component ${c.id} names ${c.groupId}, not a group of its page`);
      }
    }
    for (const inc of incidents ?? []) this.seedIncident(page.id, inc);
  }

  private seedIncident(pageId: string, s: SeedIncident): void {
    const createdAt = this.at(s.created_at, `incident ${s.name} created_at`);
    const id = s.id ?? this.ids.next('in');
    const components = s.components ?? {};
    for (const [componentId, status] of Object.entries(components)) {
      const c = this.components.get(componentId);
      if (c?.pageId !== pageId)
        throw new Error(`fake Pingera seed: incident ${id} names unknown component ${componentId}`);
      if (s.status !== 'resolved') c.status = status;
    }
    const updates = (s.updates ?? [{ body: '', status: s.status ?? 'investigating' }]).map(
      (u, i): IncidentUpdateState => {
        const at = this.at(u.created_at ?? s.created_at, `incident ${id} update ${i}`);
        return {
          id: this.ids.next('iu'),
          incidentId: id,
          status: u.status,
          body: u.body,
          components,
          deliverNotifications: true,
          createdAt: at,
          updatedAt: at,
        };
      },
    );
    const status = s.status ?? updates.at(-1)?.status ?? 'investigating';
    const resolvedUpdate = updates.find((u) => u.status === 'resolved');
    const resolvedAt =
      status === 'resolved'
        ? s.resolved_at
          ? time(s.resolved_at, `incident ${id} resolved_at`)
          : (resolvedUpdate?.createdAt ?? createdAt)
        : null;
    this.incidents.set(id, {
      id,
      pageId,
      name: s.name,
      status,
      impact: s.impact ?? null,
      deliverNotifications: true,
      components,
      createdAt,
      updatedAt: updates.at(-1)?.createdAt ?? createdAt,
      resolvedAt,
      monitoringAt: updates.find((u) => u.status === 'monitoring')?.createdAt ?? null,
      updates,
      extra: s.extra ?? {},
    });
  }

  private seedCheckGroup(g: SeedCheckGroup): void {
    const at = this.at(g.created_at, `check group ${g.name} created_at`);
    const id = g.id ?? this.ids.next('cg');
    this.checkGroups.set(id, {
      id,
      name: g.name,
      description: g.description ?? null,
      color: g.color ?? null,
      position: g.position ?? this.checkGroups.size,
      active: g.active ?? true,
      createdAt: at,
      updatedAt: at,
    });
  }

  private seedCheck(c: SeedCheck): void {
    const at = this.at(c.created_at, `check ${c.name} created_at`);
    const id = c.id ?? this.ids.next('ck');
    if (c.group_id && !this.checkGroups.has(c.group_id)) {
      throw new Error(`fake Pingera seed: check ${id} names unknown group ${c.group_id}`);
    }
    for (const s of c.secrets ?? []) {
      if (!this.secrets.has(s.secret_id))
        throw new Error(`fake Pingera seed: check ${id} names unknown secret ${s.secret_id}`);
    }
    this.checks.set(id, {
      id,
      name: c.name,
      type: c.type,
      url: c.url ?? null,
      host: c.host ?? null,
      port: c.port ?? null,
      interval: c.interval ?? 300,
      timeout: c.timeout ?? 30,
      active: c.active ?? true,
      position: c.position ?? this.checks.size,
      groupId: c.group_id ?? null,
      parameters: c.parameters ?? {},
      createdAt: at,
      updatedAt: at,
      secrets: c.secrets ?? [],
    });
    this.addResults(id, c.results ?? []);
  }

  private seedHeartbeat(h: SeedHeartbeat): void {
    const at = this.at(h.created_at, `heartbeat ${h.name} created_at`);
    const id = h.id ?? this.ids.next('hb');
    this.heartbeats.set(id, {
      id,
      name: h.name,
      periodSeconds: h.period_seconds,
      graceSeconds: h.grace_seconds ?? 3600,
      active: h.active ?? true,
      createdAt: at,
      updatedAt: at,
    });
    this.addPings(id, h.pings ?? []);
  }

  private seedSecret(s: SeedSecret): void {
    const at = this.at(s.created_at, `secret ${s.secret_name} created_at`);
    const id = s.id ?? this.ids.next('sc');
    this.secrets.set(id, {
      id,
      name: s.secret_name,
      value: s.secret_value,
      createdAt: at,
      updatedAt: at,
      createdBy: this.userId,
      updatedBy: this.userId,
    });
  }

  private seedChannel(c: SeedAlertChannel): void {
    const at = this.at(c.created_at, `channel ${c.name} created_at`);
    const id = c.id ?? this.ids.next('ch');
    this.channels.set(id, {
      id,
      name: c.name,
      type: c.type,
      configuration: c.configuration ?? {},
      enabled: c.enabled ?? true,
      createdAt: at,
      updatedAt: at,
      lastUsedAt: null,
    });
  }

  private seedRule(r: SeedAlertRule): void {
    const at = this.at(r.created_at, `rule ${r.name} created_at`);
    const id = r.id ?? this.ids.next('ar');
    if (!this.checks.has(r.check_id))
      throw new Error(`fake Pingera seed: rule ${id} names unknown check ${r.check_id}`);
    for (const c of r.channel_ids) {
      if (!this.channels.has(c)) throw new Error(`fake Pingera seed: rule ${id} names unknown channel ${c}`);
    }
    this.rules.set(id, {
      id,
      name: r.name,
      checkId: r.check_id,
      condition: r.condition,
      conditionParameters: r.condition_parameters ?? {},
      channelIds: r.channel_ids,
      severity: r.severity ?? 'medium',
      cooldownPeriod: r.cooldown_period ?? 300,
      enabled: r.enabled ?? true,
      autoResolve: r.auto_resolve ?? true,
      createdAt: at,
      updatedAt: at,
    });
  }

  private seedAlert(a: SeedAlert): void {
    const id = a.id ?? this.ids.next('al');
    if (!this.checks.has(a.check_id))
      throw new Error(`fake Pingera seed: alert ${id} names unknown check ${a.check_id}`);
    if (a.rule_id && !this.rules.has(a.rule_id))
      throw new Error(`fake Pingera seed: alert ${id} names unknown rule ${a.rule_id}`);
    const rule = a.rule_id ? this.rules.get(a.rule_id) : undefined;
    const status = a.status ?? 'firing';
    const firedAt = time(a.fired_at, `alert ${id} fired_at`);
    this.alerts.set(id, {
      id,
      ruleId: a.rule_id ?? null,
      checkId: a.check_id,
      status,
      severity: a.severity ?? rule?.severity ?? 'medium',
      description:
        a.description ?? `${rule?.condition ?? 'check_failed'} on ${this.checks.get(a.check_id)?.name}`,
      firedAt,
      resolvedAt: a.resolved_at
        ? time(a.resolved_at, `alert ${id} resolved_at`)
        : status === 'resolved'
          ? firedAt
          : null,
      acknowledgedAt: a.acknowledged_at
        ? time(a.acknowledged_at, `alert ${id} acknowledged_at`)
        : status === 'acknowledged'
          ? firedAt
          : null,
      acknowledgedById: status === 'acknowledged' ? this.userId : null,
      notificationCount: a.notification_count ?? 1,
      metadata: a.alert_metadata ?? {},
    });
  }
}
