/**
 * The embedded provider: Vigil's own engine on its own store. Serves every port.
 */
import type { Kysely } from 'kysely';
import { type Clock, systemClock } from '../../core/clock.js';
import { PAGERDUTY_EVENTS_URL } from '../../core/config.js';
import type { Logger } from '../../core/log.js';
import type { Ports } from '../../core/ports.js';
import { Alerting } from './alerting/alerting.js';
import { CheckScheduler } from './checks/scheduler.js';
import { createCheckService } from './checks/service.js';
import { SyntheticBrowser } from './checks/synthetic/browser.js';
import { channels } from './engine/channels.js';
import { Engine } from './engine/engine.js';
import { StatusAutomation } from './engine/status-automation.js';
import { createEventIngest, type EventIngest } from './events.js';
import { AlertRepository } from './store/alerts-repo.js';
import { ApiKeyRepository } from './store/api-keys.js';
import { openDatabase, type StoreKind } from './store/database.js';
import { DirectoryRepository } from './store/directory-repo.js';
import { EscalationRepository } from './store/escalation-repo.js';
import { HeartbeatRepository } from './store/heartbeats-repo.js';
import { IncidentRepository } from './store/incidents-repo.js';
import { LeaseRepository } from './store/lease.js';
import { MIGRATIONS } from './store/migrations.js';
import { ScheduleRepository } from './store/schedules-repo.js';
import type { Database } from './store/schema.js';
import { SecretRepository, secretKey } from './store/secrets-repo.js';
import { StatusPagesRepository } from './store/status-incidents-repo.js';

export interface EmbeddedProvider {
  name: 'embedded';
  kind: StoreKind;
  location: string;
  ports: Required<
    Pick<
      Ports,
      | 'directory'
      | 'incidents'
      | 'escalation'
      | 'schedules'
      | 'heartbeats'
      | 'checks'
      | 'alerts'
      | 'secrets'
      | 'statusPages'
      | 'meta'
    >
  > & { heartbeats: HeartbeatRepository; checks: ReturnType<typeof createCheckService> };
  apiKeys: ApiKeyRepository;
  lease: LeaseRepository;
  /** Escalation and notifications; run by the process that holds the engine lease. */
  engine: Engine;
  /** Scheduled checks; run by the process that holds the engine lease. */
  scheduler: CheckScheduler;
  /** Synthetic checks' browser (started at their first run). */
  browser: SyntheticBrowser;
  /** Alert rule evaluation of check changes (which the scheduler starts); same process. */
  alerting: Alerting;
  /** Status-page components following their checks, and maintenance on time; same process. */
  statusAutomation: StatusAutomation;
  /** Events API v2 ingestion (`POST /v2/enqueue`). */
  ingest: EventIngest;
  /** The store itself, for the engine's own repositories. */
  db: Kysely<Database>;
  close(): Promise<void>;
}

export async function createEmbeddedProvider(opts: {
  dataDir: string;
  databaseUrl?: string | undefined;
  log: Logger;
  clock?: Clock | undefined;
  smtp?: { url?: string | undefined; from: string } | undefined;
  /** Where this server is reached from outside: ping URLs start with it. */
  publicUrl?: string | undefined;
  checks?:
    | {
        blockPrivate: boolean;
        retentionDays: number;
        concurrency: number;
        chromiumPath?: string | undefined;
      }
    | undefined;
  secretKey?: string | undefined;
  /** Alert rules with a routing key: where their events go, and the link back they carry. */
  pagerduty?: { eventsUrl: string; clientUrl?: string | undefined } | undefined;
}): Promise<EmbeddedProvider> {
  const clock = opts.clock ?? systemClock;
  const { db, kind, location } = await openDatabase(opts);
  const lease = new LeaseRepository(db);
  const directory = new DirectoryRepository(db);
  const incidents = new IncidentRepository(db, clock);
  const heartbeats = new HeartbeatRepository(
    db,
    clock,
    opts.publicUrl ?? 'http://127.0.0.1:5000',
    kind === 'postgres',
  );
  const checkOpts = opts.checks ?? { blockPrivate: false, retentionDays: 14, concurrency: 200 };
  const secrets = new SecretRepository(db, clock, () => secretKey(opts.secretKey, opts.dataDir));
  const variablesFor = (checkId: string) => secrets.variablesFor(checkId);
  // Started at the first synthetic run, closed when the scheduler stops.
  const browser = new SyntheticBrowser({
    log: opts.log,
    chromiumPath: checkOpts.chromiumPath,
    blockPrivate: checkOpts.blockPrivate,
  });
  const checks = createCheckService({
    db,
    clock,
    log: opts.log,
    blockPrivate: checkOpts.blockPrivate,
    browser,
    variablesFor,
  });
  const scheduler = new CheckScheduler(db, clock, opts.log, checks.runs, {
    concurrency: checkOpts.concurrency,
    blockPrivate: checkOpts.blockPrivate,
    browser,
    retentionMs: checkOpts.retentionDays * 86_400_000,
    variablesFor,
    onChanges: (changes) => {
      // A check's first result is news only at debug level; a change after that is worth a line.
      for (const c of changes) {
        if (c.from === 'pending') opts.log.debug(c, 'check status set');
        else opts.log.info(c, 'check status changed');
      }
      alerting.onCheckChanges(changes).then(
        () => engine.nudge(),
        (err: unknown) => opts.log.error({ err }, 'alert evaluation failed'),
      );
      statusAutomation.onCheckChanges(changes).then(
        () => engine.nudge(),
        (err: unknown) => opts.log.error({ err }, 'status page component update failed'),
      );
    },
  });
  const alerting = new Alerting(db, clock, opts.log, incidents, {
    clientUrl: opts.pagerduty?.clientUrl,
  });
  const alerts = new AlertRepository(db, clock);
  const statusPages = new StatusPagesRepository(db, clock);
  const statusAutomation = new StatusAutomation(db, opts.log, () => statusPages.changed());
  const engine = new Engine(
    db,
    clock,
    opts.log,
    channels(
      opts.smtp ?? { from: 'Vigil <vigil@localhost>' },
      opts.pagerduty?.eventsUrl ?? PAGERDUTY_EVENTS_URL,
    ),
    heartbeats,
    alerting,
    statusAutomation,
  );
  const ingest = createEventIngest({ directory, incidents });
  let closed = false;
  return {
    name: 'embedded',
    kind,
    location,
    ports: {
      directory,
      incidents,
      escalation: new EscalationRepository(db),
      schedules: new ScheduleRepository(db),
      heartbeats,
      checks,
      alerts,
      secrets,
      statusPages,
      meta: {
        async testConnection() {
          const holder = await lease.current('engine');
          return [
            {
              provider: 'embedded',
              connected: true,
              details: {
                store: kind,
                location,
                schema_version: Object.keys(MIGRATIONS).at(-1),
                engine_lease_holder: holder && holder.expiresAt > Date.now() ? holder.holder : null,
              },
            },
          ];
        },
      },
    },
    engine,
    scheduler,
    browser,
    alerting,
    statusAutomation,
    ingest: async (event) => {
      const outcome = await ingest(event);
      engine.nudge();
      return outcome;
    },
    apiKeys: new ApiKeyRepository(db),
    lease,
    db,
    async close() {
      if (closed) return;
      closed = true;
      await scheduler.stop();
      await db.destroy();
    },
  };
}
