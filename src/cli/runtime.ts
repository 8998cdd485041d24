/**
 * Assembles a running Vigil from configuration: logger, providers, the compiled tool registry
 * and the tool service that every transport and CLI command shares.
 */
import type { Clock } from '../core/clock.js';
import type { Config } from '../core/config.js';
import { createLogger, type Logger } from '../core/log.js';
import type { Ports } from '../core/ports.js';
import type { Principal } from '../core/principal.js';
import { createEmbeddedProvider, type EmbeddedProvider } from '../providers/embedded/index.js';
import { PagerDutyProvider } from '../providers/pagerduty/index.js';
import { PagerDutyOAuth } from '../providers/pagerduty/oauth.js';
import { type Caller, ToolService } from '../server/build-server.js';
import { loadListings } from '../server/listings.js';
import { compileTools } from '../server/registry.js';
import { ALL_TOOLS } from '../tools/registry.js';
import { VERSION } from './version.js';

export interface Runtime {
  config: Config;
  log: Logger;
  embedded: EmbeddedProvider;
  service: ToolService;
  close(): Promise<void>;
}

/** Providers in use: VIGIL_PROVIDERS, else the embedded engine plus each SaaS provider with a credential. */
export function activeProviders(config: Config): Set<string> {
  if (config.providers) return new Set(config.providers);
  const raw = config.raw;
  const active = new Set(['embedded']);
  if (raw.PAGERDUTY_API_TOKEN || raw.PAGERDUTY_CLIENT_ID) active.add('pagerduty');
  return active;
}

function pagerDutyProvider(config: Config, log: Logger): PagerDutyProvider {
  const raw = config.raw;
  const clientId = raw.PAGERDUTY_CLIENT_ID as string | undefined;
  return new PagerDutyProvider({
    host: raw.PAGERDUTY_API_HOST as string,
    token: raw.PAGERDUTY_API_TOKEN as string | undefined,
    userEmail: raw.PAGERDUTY_USER_EMAIL as string | undefined,
    oauth:
      clientId === undefined
        ? undefined
        : new PagerDutyOAuth({
            clientId,
            clientSecret: raw.PAGERDUTY_CLIENT_SECRET as string | undefined,
            callbackPort: raw.PAGERDUTY_OAUTH_CALLBACK_PORT as number,
            dataDir: config.dataDir,
            log,
          }),
    log,
    version: VERSION,
  });
}

/** The ports each call sees: SaaS providers bound to the caller's credential, over the embedded engine. */
function assemble(config: Config, log: Logger, embedded: EmbeddedProvider) {
  const active = activeProviders(config);
  const unknown = [...active].filter((p) => !['embedded', 'pagerduty'].includes(p));
  if (unknown.length) {
    log.warn({ providers: unknown }, 'these providers are not available in this version; they serve nothing');
  }
  const ports: Ports = active.has('embedded') ? { ...embedded.ports } : {};
  const pagerduty = active.has('pagerduty') ? pagerDutyProvider(config, log) : undefined;
  if (!pagerduty) return { ports, bind: undefined };
  // Listing needs only which ports exist; calls get ports bound to their caller.
  const { meta, ...served } = pagerduty.portsFor({ local: true });
  Object.assign(ports, served);
  ports.meta ??= meta;
  const embeddedMeta = active.has('embedded') ? embedded.ports.meta : undefined;
  const bind = (caller: Caller): Ports => {
    const bound = pagerduty.portsFor({
      headerToken: caller.credentials?.pagerduty,
      local: caller.principal.kind === 'local',
    });
    return {
      ...bound,
      meta: {
        testConnection: async () => [
          ...((await embeddedMeta?.testConnection()) ?? []),
          ...(await bound.meta.testConnection()),
        ],
      },
    };
  };
  return { ports, bind };
}

export async function openRuntime(
  config: Config,
  log = createLogger(config.logLevel),
  opts: { clock?: Clock } = {},
): Promise<Runtime> {
  const embedded = await createEmbeddedProvider({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    log,
    smtp: config.smtp,
    publicUrl: config.publicUrl,
    checks: config.checks,
    secretKey: config.secretKey,
    pagerduty: {
      eventsUrl: config.pagerduty.eventsUrl,
      // A link back only to an address set on purpose, not the bind address the default guesses.
      clientUrl: config.raw.VIGIL_PUBLIC_URL === undefined ? undefined : config.publicUrl,
    },
    clock: opts.clock,
  });
  const { ports, bind } = assemble(config, log, embedded);
  const service = new ToolService({
    config,
    log,
    ports,
    bind,
    tools: compileTools(ALL_TOOLS, loadListings()),
    version: VERSION,
  });
  return { config, log, embedded, service, close: () => embedded.close() };
}

/** The principal of a local process (stdio, `vigil call`): the configured mode and user. */
export function localPrincipal(config: Config): Principal {
  return {
    kind: 'local',
    label: 'local',
    mode: config.mode,
    ...(config.userEmail && { userEmail: config.userEmail }),
  };
}
