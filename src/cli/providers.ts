/**
 * Which providers serve which ports: the embedded engine underneath, and over it each provider of
 * the list below (core/provider.ts) that is in use, bound per call to that caller's credential.
 * Adding a provider is its folder plus one entry in PROVIDERS.
 */
import { type Config, ConfigError, VARIABLES, type Variable } from '../core/config.js';
import { type Logger, silentLogger } from '../core/log.js';
import type { ConnectionReport, MetaPort, Ports, UpstreamCredentials } from '../core/ports.js';
import type { CallerRequest, Provider, ProviderFactory } from '../core/provider.js';
import type { EmbeddedProvider } from '../providers/embedded/index.js';
import { pagerDutyProvider } from '../providers/pagerduty/index.js';
import { pingeraProvider } from '../providers/pingera/index.js';
import type { UpstreamAuth } from '../server/auth.js';
import type { Caller } from '../server/build-server.js';
import { VERSION } from './version.js';

/** The SaaS providers, in the order their ports lay over the embedded engine's (later wins). */
export const PROVIDERS: readonly ProviderFactory[] = [pagerDutyProvider, pingeraProvider];

/** Every provider of the list, made from the configuration (each reads its own variables). */
export function makeProviders(
  config: Config,
  log: Logger,
  list: readonly ProviderFactory[] = PROVIDERS,
): Provider[] {
  return list.map((make) => make(config, { log, version: VERSION }));
}

/**
 * The providers in use, made from the configuration: those VIGIL_PROVIDERS names, else each one
 * whose settings make it usable (core/provider.ts, `configured`).
 */
export function usedProviders(
  config: Config,
  log: Logger,
  list: readonly ProviderFactory[] = PROVIDERS,
): Provider[] {
  return inUse(config, makeProviders(config, log, list));
}

/** Of the providers made, those in use. */
export function inUse(config: Config, made: readonly Provider[]): Provider[] {
  return made.filter((p) => (config.providers ? config.providers.includes(p.name) : p.configured));
}

/**
 * The configuration once the providers have read theirs: a bad variable of theirs and an unknown
 * name in VIGIL_PROVIDERS stop the start (ConfigError), and with VIGIL_MODE unset a provider in
 * use alone may make the mode read_write (`writesWhenAlone`).
 */
export function configure(config: Config, list: readonly ProviderFactory[] = PROVIDERS): Config {
  const made = makeProviders(config, silentLogger(), list);
  const names = ['embedded', ...made.map((p) => p.name)];
  if (config.providers?.some((n) => !names.includes(n)))
    throw new ConfigError(
      'VIGIL_PROVIDERS',
      `invalid value '${config.providers.join(',')}', accepts a comma-separated list of ${names.join(', ')}`,
    );
  const used = inUse(config, made);
  const alone = !config.providers && used.length === 1 ? used[0] : undefined;
  return !config.modeGiven && alone?.writesWhenAlone ? { ...config, mode: 'read_write' } : config;
}

/** Every environment variable Vigil reads: core's, then each provider's (the README lists them all). */
export function allVariables(config: Config, list: readonly ProviderFactory[] = PROVIDERS): Variable[] {
  return [...VARIABLES, ...makeProviders(config, silentLogger(), list).flatMap((p) => p.variables)];
}

/** Where alert rules with a routing key send Events API v2 events: the provider that takes them says. */
export function eventsApiUrl(made: readonly Provider[]): string | undefined {
  return made.find((p) => p.eventsApiUrl)?.eventsApiUrl;
}

/** Names of the providers in use: VIGIL_PROVIDERS, else the embedded engine plus each configured one. */
export function activeProviders(
  config: Config,
  providers: readonly Provider[] = usedProviders(config, silentLogger()),
): Set<string> {
  if (config.providers) return new Set(config.providers);
  return new Set(['embedded', ...providers.map((p) => p.name)]);
}

/** How HTTP authentication treats an Authorization value that is not Vigil's: the provider it is for. */
export function upstreamAuth(
  config: Config,
  providers: readonly Provider[] = usedProviders(config, silentLogger()),
): UpstreamAuth | undefined {
  const taker = providers.find((p) => p.foreignAuthorization);
  return (
    taker?.foreignAuthorization && { provider: taker.name, toolsets: taker.foreignAuthorization.toolsets }
  );
}

/** The ports each call sees: the providers in use bound to the caller's credential, over the embedded engine. */
export function assemble(
  config: Config,
  log: Logger,
  embedded: EmbeddedProvider,
  providers: readonly Provider[] = usedProviders(config, log),
) {
  const active = activeProviders(config, providers);
  const ports: Ports = active.has('embedded') ? { ...embedded.ports } : {};
  if (providers.length === 0)
    return { ports, bind: undefined, unsupported: undefined, credentialsOf: undefined };
  // Listing needs only which ports exist (each call gets ports bound to its caller); a provider
  // that answers only callers bringing its credential lists nothing of its own.
  const listed = providers.filter((p) => !p.onlyWithCredential);
  const unsupported = new Map<string, string>(
    listed.flatMap((p) => p.unsupportedTools.map((t): [string, string] => [t, p.name])),
  );
  for (const p of listed) Object.assign(ports, withoutMeta(p.portsFor({ local: true })));
  const embeddedMeta = active.has('embedded') ? embedded.ports.meta : undefined;
  ports.meta ??= { testConnection: async () => [] };
  /** What each provider reads from a request as its caller's own credential. */
  const credentialsOf = (request: CallerRequest): UpstreamCredentials => {
    const found: Record<string, string> = {};
    for (const p of providers) {
      const credential = p.credential(request);
      if (credential) found[p.name] = credential;
    }
    return found;
  };
  const bind = (caller: Caller): Ports => {
    const local = caller.principal.kind === 'local';
    const bound = providers.flatMap((p) => {
      const credential = caller.credentials?.[p.name];
      if (p.onlyWithCredential && !credential) return [];
      return [{ provider: p, ports: p.portsFor({ credential, local }) }];
    });
    // A caller known only by a provider's credential learns nothing of this server's own providers.
    const metas: [string, MetaPort | undefined][] = caller.principal.upstreamOnly
      ? bound.filter((b) => b.provider.foreignAuthorization).map((b) => [b.provider.name, b.ports.meta])
      : [
          ['embedded', embeddedMeta],
          ...bound.map((b): [string, MetaPort] => [b.provider.name, b.ports.meta]),
        ];
    return {
      ...Object.assign({}, ...bound.map((b) => withoutMeta(b.ports))),
      meta: {
        testConnection: async (only?: string): Promise<ConnectionReport[]> => {
          const asked = metas.filter(([name, m]) => m && (only === undefined || name === only));
          return (await Promise.all(asked.map(([, m]) => (m as MetaPort).testConnection()))).flat();
        },
      },
    };
  };
  return { ports, bind, unsupported, credentialsOf };
}

function withoutMeta<P extends Ports>(ports: P): Omit<P, 'meta'> {
  const { meta: _meta, ...rest } = ports;
  return rest;
}
