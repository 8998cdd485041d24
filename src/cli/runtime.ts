/**
 * Assembles a running Vigil from configuration: logger, providers, the compiled tool registry
 * and the tool service that every transport and CLI command shares.
 */
import type { Clock } from '../core/clock.js';
import type { Config } from '../core/config.js';
import { createLogger, type Logger } from '../core/log.js';
import type { Principal } from '../core/principal.js';
import type { Provider, ProviderFactory } from '../core/provider.js';
import { createEmbeddedProvider, type EmbeddedProvider } from '../providers/embedded/index.js';
import { ToolService } from '../server/build-server.js';
import { loadListings } from '../server/listings.js';
import { defaultProfiles, seedProfiles } from '../server/profiles.js';
import { compileTools } from '../server/registry.js';
import { ALL_TOOLS } from '../tools/registry.js';
import { assemble, eventsApiUrl, inUse, makeProviders, PROVIDERS } from './providers.js';
import { VERSION } from './version.js';

export interface Runtime {
  config: Config;
  log: Logger;
  embedded: EmbeddedProvider;
  /** The providers in use over the embedded engine. */
  providers: readonly Provider[];
  service: ToolService;
  close(): Promise<void>;
}

export async function openRuntime(
  config: Config,
  log = createLogger(config.logLevel),
  opts: { clock?: Clock; providers?: readonly ProviderFactory[] } = {},
): Promise<Runtime> {
  // Every provider of the list, made once: those in use serve calls; all name their seeds' profiles.
  const made = makeProviders(config, log, opts.providers ?? PROVIDERS);
  const providers = inUse(config, made);
  const embedded = await createEmbeddedProvider({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    log,
    smtp: config.smtp,
    notify: config.notify,
    publicUrl: config.publicUrl,
    checks: config.checks,
    secretKey: config.secretKey,
    auditRetentionDays: config.auditRetentionDays,
    telegram: config.telegram,
    pagerduty: {
      eventsUrl: eventsApiUrl(made),
      // A link back only to an address set on purpose, not the bind address the default guesses.
      clientUrl: config.publicUrlGiven ? config.publicUrl : undefined,
    },
    clock: opts.clock,
  });
  const { ports, bind, unsupported, credentialsOf } = assemble(config, log, embedded, providers);
  const service = new ToolService({
    config,
    log,
    ports,
    bind,
    unsupported,
    credentialsOf,
    tools: compileTools(ALL_TOOLS, loadListings()),
    defaults: defaultProfiles(
      providers.filter((p) => p.seedTools).map((p) => p.name),
      config.providers?.includes('embedded') ?? false,
    ),
    seeds: seedProfiles(made),
    version: VERSION,
  });
  return { config, log, embedded, providers, service, close: () => embedded.close() };
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
