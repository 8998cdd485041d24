/**
 * Which providers serve which ports: the embedded engine, and the SaaS providers (PagerDuty for
 * incident response, Pingera for monitoring and status pages) bound to each caller's credential.
 */
import type { Config } from '../core/config.js';
import type { Logger } from '../core/log.js';
import type { ConnectionReport, MetaPort, Ports } from '../core/ports.js';
import type { EmbeddedProvider } from '../providers/embedded/index.js';
import { PAGERDUTY_UNSUPPORTED_TOOLS, PagerDutyProvider } from '../providers/pagerduty/index.js';
import { PagerDutyOAuth } from '../providers/pagerduty/oauth.js';
import { PINGERA_TOOLSETS, PINGERA_UNSUPPORTED_TOOLS, PingeraProvider } from '../providers/pingera/index.js';
import type { UpstreamAuth } from '../server/auth.js';
import type { Caller } from '../server/build-server.js';
import { VERSION } from './version.js';

/**
 * Providers in use: VIGIL_PROVIDERS, else the embedded engine plus each SaaS provider with a
 * credential, plus Pingera per request in the Pingera seed's remote setup (see below).
 */
export function activeProviders(config: Config): Set<string> {
  if (config.providers) return new Set(config.providers);
  const { pagerduty, pingera } = config;
  const active = new Set(['embedded']);
  if (pagerduty.token || pagerduty.oauth) active.add('pagerduty');
  if (pingera.apiKey || pingera.jwt || pingeraPerRequest(config)) active.add('pingera');
  return active;
}

/**
 * The Pingera seed's remote setup: `TRANSPORT_MODE=sse|http` and `REQUIRE_AUTH_HEADER=true`, no
 * Pingera credential configured and no VIGIL_PROVIDERS. Every request then brings a credential,
 * and one that is not a Vigil API key or JWT is that client's Pingera key or JWT: Pingera answers
 * the monitoring and status-page toolsets for that request, from that client's account. Requests
 * with a Vigil key or JWT keep the embedded engine for everything.
 */
export function pingeraPerRequest(config: Config): boolean {
  return (
    config.providers === undefined &&
    !config.pingera.apiKey &&
    !config.pingera.jwt &&
    (config.transport === 'sse' || config.transport === 'http') &&
    config.requireAuthHeader
  );
}

/** How HTTP authentication treats an Authorization value that is not Vigil's. */
export function upstreamAuth(config: Config): UpstreamAuth {
  return { pingera: activeProviders(config).has('pingera'), pingeraToolsets: [...PINGERA_TOOLSETS, 'meta'] };
}

function pagerDutyProvider(config: Config, log: Logger): PagerDutyProvider {
  const { host, token, userEmail, oauth } = config.pagerduty;
  return new PagerDutyProvider({
    host,
    token,
    userEmail,
    oauth: oauth && new PagerDutyOAuth({ ...oauth, dataDir: config.dataDir, log }),
    log,
    version: VERSION,
  });
}

function pingeraProvider(config: Config, log: Logger): PingeraProvider {
  return new PingeraProvider({
    ...config.pingera,
    log,
    version: VERSION,
  });
}

/** The ports each call sees: SaaS providers bound to the caller's credential, over the embedded engine. */
export function assemble(config: Config, log: Logger, embedded: EmbeddedProvider) {
  const active = activeProviders(config);
  const ports: Ports = active.has('embedded') ? { ...embedded.ports } : {};
  const pagerduty = active.has('pagerduty') ? pagerDutyProvider(config, log) : undefined;
  const pingera = active.has('pingera') ? pingeraProvider(config, log) : undefined;
  if (!pagerduty && !pingera) return { ports, bind: undefined, unsupported: undefined };
  // In the seed's remote setup Pingera answers only the requests that bring its credential.
  const pingeraOnlyWithCredential = pingeraPerRequest(config);
  const unsupported = new Map<string, string>([
    ...(pagerduty ? PAGERDUTY_UNSUPPORTED_TOOLS.map((t): [string, string] => [t, 'pagerduty']) : []),
    ...(pingera && !pingeraOnlyWithCredential
      ? PINGERA_UNSUPPORTED_TOOLS.map((t): [string, string] => [t, 'pingera'])
      : []),
  ]);
  // Listing needs only which ports exist; each call gets ports bound to its caller.
  if (pagerduty) Object.assign(ports, withoutMeta(pagerduty.portsFor({ local: true })));
  if (pingera && !pingeraOnlyWithCredential) Object.assign(ports, withoutMeta(pingera.portsFor(undefined)));
  const embeddedMeta = active.has('embedded') ? embedded.ports.meta : undefined;
  ports.meta ??= { testConnection: async () => [] };
  const bind = (caller: Caller): Ports => {
    const pd = pagerduty?.portsFor({
      headerToken: caller.credentials?.pagerduty,
      local: caller.principal.kind === 'local',
    });
    const pg =
      pingeraOnlyWithCredential && !caller.credentials?.pingera
        ? undefined
        : pingera?.portsFor(caller.credentials?.pingera);
    // A caller known only by its Pingera credential learns nothing of this server's own providers.
    const metas: [string, MetaPort | undefined][] = caller.principal.upstreamOnly
      ? [['pingera', pg?.meta]]
      : [
          ['embedded', embeddedMeta],
          ['pagerduty', pd?.meta],
          ['pingera', pg?.meta],
        ];
    return {
      ...(pd && withoutMeta(pd)),
      ...(pg && withoutMeta(pg)),
      meta: {
        testConnection: async (only?: string): Promise<ConnectionReport[]> => {
          const asked = metas.filter(([name, m]) => m && (only === undefined || name === only));
          return (await Promise.all(asked.map(([, m]) => (m as MetaPort).testConnection()))).flat();
        },
      },
    };
  };
  return { ports, bind, unsupported };
}

function withoutMeta<P extends Ports>(ports: P): Omit<P, 'meta'> {
  const { meta: _meta, ...rest } = ports;
  return rest;
}
