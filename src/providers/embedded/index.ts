/**
 * The embedded provider: Vigil's own engine on its own store. Serves every port.
 */
import type { Kysely } from 'kysely';
import { chatButtons } from '../../core/chat-action.js';
import { type Clock, systemClock } from '../../core/clock.js';
import type { Config } from '../../core/config.js';
import { EVENTS_API_URL } from '../../core/events-v2.js';
import type { Logger } from '../../core/log.js';
import type { Ports } from '../../core/ports.js';
import { responderTokens, responderUrl } from '../../core/responder-token.js';
import { pageAddress, subscriberTokens } from '../../core/status-subscriptions.js';
import { Alerting } from './alerting/alerting.js';
import { CheckScheduler } from './checks/scheduler.js';
import { CheckService } from './checks/service.js';
import { SyntheticBrowser } from './checks/synthetic/browser.js';
import { channels } from './engine/channels/index.js';
import type { TelegramSettings } from './engine/channels/telegram.js';
import { Engine } from './engine/engine.js';
import { Outbox } from './engine/outbox.js';
import { EngineRunner } from './engine/runner.js';
import { StatusAutomation } from './engine/status-automation.js';
import type { SubscriberLinks } from './engine/subscriber-messages.js';
import { createEventIngest, type EventIngest } from './events.js';
import { AlertRepository } from './store/alerts-repo.js';
import { ApiKeyRepository } from './store/api-keys.js';
import { AuditRepository } from './store/audit-repo.js';
import { openDatabase, type StoreKind, storeId } from './store/database.js';
import { DeliveryRepository } from './store/deliveries-repo.js';
import { DirectoryRepository } from './store/directory-repo.js';
import { EngineEvents } from './store/engine-events.js';
import { EscalationRepository } from './store/escalation-repo.js';
import { type StoreHealth, storeWritable } from './store/health.js';
import { HeartbeatRepository } from './store/heartbeats-repo.js';
import { IncidentRepository } from './store/incidents-repo.js';
import { LeaseRepository } from './store/lease.js';
import { MaintenanceWindowRepository } from './store/maintenance-windows-repo.js';
import { MIGRATIONS } from './store/migrations.js';
import { NotificationRuleRepository } from './store/notification-rules-repo.js';
import { ScheduleRepository } from './store/schedules-repo.js';
import type { Database } from './store/schema.js';
import { SecretRepository, secretKey } from './store/secrets-repo.js';
import { StatusPagesRepository } from './store/status-pages-repo.js';
import { StatusSubscriptionsRepository } from './store/status-subscriptions-repo.js';

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
      | 'notificationRules'
      | 'maintenanceWindows'
      | 'schedules'
      | 'heartbeats'
      | 'checks'
      | 'alerts'
      | 'secrets'
      | 'statusPages'
      | 'statusSubscriptions'
      | 'meta'
      | 'audit'
    >
  > & {
    heartbeats: HeartbeatRepository;
    checks: CheckService;
    audit: AuditRepository;
  };
  apiKeys: ApiKeyRepository;
  lease: LeaseRepository;
  /** One pass of the engine's work (tests run passes by hand). */
  engine: Engine;
  /** Scheduled checks. */
  scheduler: CheckScheduler;
  /** Runs the engine and the scheduler in this process, sharing the work with others on the store. */
  runner: EngineRunner;
  /** Synthetic checks' browser (started at their first run). */
  browser: SyntheticBrowser;
  /** Alert rule evaluation (the engine works the outbox of check changes through it). */
  alerting: Alerting;
  /** Status-page components following their checks, and maintenance on time; same process. */
  statusAutomation: StatusAutomation;
  /** Events API v2 ingestion (`POST /v2/enqueue`). */
  ingest: EventIngest;
  /** Whether the store takes writes now, and if not why (for /healthz). */
  health(): Promise<StoreHealth>;
  /** Names the store, so processes can tell whether they share one. */
  storeId(): Promise<string>;
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
  /** Twilio (sms, phone), Pushover and Matrix, where configured; without them those kinds are `unsupported`. */
  notify?: Config['notify'] | undefined;
  /** Where this server is reached from outside: ping URLs and responder links start with it. */
  publicUrl?: string | undefined;
  checks?:
    | {
        blockPrivate: boolean;
        retentionDays: number;
        concurrency: number;
        chromiumPath?: string | undefined;
        syntheticUnconfined?: boolean | undefined;
      }
    | undefined;
  secretKey?: string | undefined;
  /** Alert rules with a routing key: where their events go, and the link back they carry. */
  pagerduty?: { eventsUrl?: string | undefined; clientUrl?: string | undefined } | undefined;
  /** Days audit entries are kept (default 90). */
  auditRetentionDays?: number | undefined;
  /** The Telegram bot `telegram` deliveries go through; without it they are `unsupported`. */
  telegram?: TelegramSettings | undefined;
}): Promise<EmbeddedProvider> {
  const clock = opts.clock ?? systemClock;
  const { db, kind, location } = await openDatabase(opts);
  const postgres = kind === 'postgres';
  const lease = new LeaseRepository(db);
  const directory = new DirectoryRepository(db, clock);
  const incidents = new IncidentRepository(db, clock);
  const publicUrl = opts.publicUrl ?? 'http://127.0.0.1:5000';
  const heartbeats = new HeartbeatRepository(db, clock, publicUrl, postgres);
  const checkOpts = opts.checks ?? { blockPrivate: false, retentionDays: 14, concurrency: 200 };
  const secrets = new SecretRepository(db, clock, () => secretKey(opts.secretKey, opts.dataDir));
  const variablesFor = (checkId: string) => secrets.variablesFor(checkId);
  // Every page to a person links to their responder page (src/http/responder), signed under the same key.
  const responder = responderTokens(() => secretKey(opts.secretKey, opts.dataDir));
  // Started at the first synthetic run, closed when the scheduler stops.
  const browser = new SyntheticBrowser({
    log: opts.log,
    chromiumPath: checkOpts.chromiumPath,
    blockPrivate: checkOpts.blockPrivate,
    unconfined: checkOpts.syntheticUnconfined,
  });
  const checks = new CheckService({
    db,
    clock,
    log: opts.log,
    blockPrivate: checkOpts.blockPrivate,
    browser,
    variablesFor,
    postgres,
  });
  const scheduler = new CheckScheduler(clock, opts.log, checks.runs, {
    concurrency: checkOpts.concurrency,
    blockPrivate: checkOpts.blockPrivate,
    browser,
    retentionMs: checkOpts.retentionDays * 86_400_000,
    prunePings: (before) => heartbeats.prunePings(before),
    variablesFor,
    prunes: () => runner.leads,
    onChanges: (changes) => {
      // A check's first result is news only at debug level; a change after that is worth a line.
      for (const c of changes) {
        if (c.from === 'pending') opts.log.debug(c, 'check status set');
        else opts.log.info(c, 'check status changed');
      }
      // Their work is in the outbox already; the engine takes it at once rather than at its next poll.
      engine.nudge();
    },
  });
  const alerting = new Alerting(db, clock, opts.log, incidents, {
    clientUrl: opts.pagerduty?.clientUrl,
  });
  const alerts = new AlertRepository(db, clock);
  const statusPages = new StatusPagesRepository(db, clock);
  const statusSubscriptions = new StatusSubscriptionsRepository(db, clock, () => engine.nudge());
  // Subscribers' links (confirm, manage, unsubscribe) are on their page's own address, signed under the same key.
  const subscriberSigner = subscriberTokens(() => secretKey(opts.secretKey, opts.dataDir));
  const subscriberLinks: SubscriberLinks = {
    page: (p) => pageAddress(publicUrl, p),
    token: (ref, purpose, now) => subscriberSigner.issue(ref, purpose, now),
  };
  const statusAutomation = new StatusAutomation(db, opts.log, () => statusPages.changed());
  const engine = new Engine(
    db,
    clock,
    opts.log,
    new Outbox(
      new DeliveryRepository(db, postgres),
      channels(
        opts.smtp ?? { from: 'Vigil <vigil@localhost>' },
        opts.pagerduty?.eventsUrl ?? EVENTS_API_URL,
        // Slack's and Telegram's buttons, signed under the same key (src/http/chat takes the clicks).
        { buttons: chatButtons(() => secretKey(opts.secretKey, opts.dataDir)), telegram: opts.telegram },
        opts.notify,
      ),
      clock,
      opts.log,
      (incidentId, userId, now) => responderUrl(publicUrl, responder.issue(incidentId, userId, now)),
      subscriberLinks,
    ),
    heartbeats,
    alerting,
    statusAutomation,
    new EngineEvents(db, postgres),
  );
  const runner = new EngineRunner({ engine, scheduler, lease, log: opts.log, shared: postgres });
  // An incident update queued its subscribers' deliveries: the engine takes them at once, not at its next poll.
  statusPages.onChange(() => engine.nudge());
  const maintenanceWindows = new MaintenanceWindowRepository(db, clock);
  const ingest = createEventIngest({ directory, incidents, maintenance: maintenanceWindows });
  const audit = new AuditRepository(db, clock, opts.log, opts.auditRetentionDays ?? 90);
  let closed = false;
  return {
    name: 'embedded',
    kind,
    location,
    ports: {
      directory,
      incidents,
      escalation: new EscalationRepository(db),
      notificationRules: new NotificationRuleRepository(db, clock),
      maintenanceWindows,
      schedules: new ScheduleRepository(db),
      heartbeats,
      checks,
      alerts,
      secrets,
      statusPages,
      statusSubscriptions,
      audit,
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
    runner,
    browser,
    alerting,
    statusAutomation,
    ingest: async (event) => {
      const outcome = await ingest(event);
      engine.nudge();
      return outcome;
    },
    health: () => storeWritable(db, kind),
    storeId: () => storeId(db),
    apiKeys: new ApiKeyRepository(db),
    lease,
    db,
    async close() {
      if (closed) return;
      closed = true;
      await runner.stop();
      await scheduler.stop();
      await audit.close();
      await db.destroy();
    },
  };
}
