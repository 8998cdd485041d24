/**
 * The provider seam: what a SaaS provider behind Vigil says of itself — its name, its typed
 * settings, whether they make it usable, how it reads a caller's own credential from a request,
 * the ports it serves for one caller and the tools it cannot carry out. The list of providers is
 * in src/cli/providers.ts; nothing outside a provider's folder names the vendor.
 */
import type { Config, Variable } from './config.js';
import type { Logger } from './log.js';
import type { MetaPort, Ports } from './ports.js';

/** What one HTTP request brings from which a provider may read its caller's own credential. */
export interface CallerRequest {
  /** The request's headers, by lowercase name. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The Authorization value when it is neither a Vigil API key nor a Vigil JWT. */
  foreignAuthorization?: string | undefined;
}

/** Who one call is for, as a provider sees it. */
export interface ProviderCaller {
  /** The credential the caller brought for this provider (what `credential` read), if any. */
  credential?: string | undefined;
  /** A local process (stdio, `vigil call`): it may use a login made on this machine. */
  local: boolean;
}

export interface Provider<Settings = unknown> {
  /** The name VIGIL_PROVIDERS, test_connection and NOT_SUPPORTED answers use. */
  readonly name: string;
  /** Its part of the configuration, typed: what it was made with. */
  readonly settings: Settings;
  /** The environment variables its settings come from (the README documents each). */
  readonly variables: readonly Variable[];
  /** Its settings make it usable: it is in use unless VIGIL_PROVIDERS names others. */
  readonly configured: boolean;
  /** It answers only the calls that bring its credential; the others see what the rest serve. */
  readonly onlyWithCredential?: boolean | undefined;
  /**
   * An Authorization value that Vigil does not recognise is this provider's credential; once
   * Vigil's own authentication is set up, a caller known only by it reaches these toolsets.
   */
  readonly foreignAuthorization?: { toolsets: readonly string[] } | undefined;
  /** The request headers `credential` reads, by lowercase name (the README documents each). */
  readonly credentialHeaders?: readonly string[] | undefined;
  /** The caller's own credential for this provider, when the request brings one. */
  credential(request: CallerRequest): string | undefined;
  /** The ports it serves for one call, bound to that caller; `meta` reports its connection. */
  portsFor(caller: ProviderCaller): Ports & { meta: MetaPort };
  /** Tools whose port it serves but which it cannot carry out: not listed; a call answers NOT_SUPPORTED. */
  readonly unsupportedTools: readonly string[];
  /** In use alone, with VIGIL_MODE unset, it makes the mode read_write (a seed that always had its writes). */
  readonly writesWhenAlone?: boolean | undefined;
  /** Where the embedded engine's alert rules with a routing key send Events API v2 events, if this provider takes them. */
  readonly eventsApiUrl?: string | undefined;
  /**
   * The tools of the seed server it stands in for, out of all of Vigil's: a profile of its name
   * lists them, and its credential alone lists them by default.
   */
  seedTools?(tools: readonly ToolInfo[]): readonly string[];
}

/** What a provider may know of a tool: its name and toolset. */
export interface ToolInfo {
  name: string;
  toolset: string;
}

/** What every provider is made with besides the configuration. */
export interface ProviderEnv {
  log: Logger;
  version: string;
}

/** One entry of the provider list: makes the provider from the configuration (cheaply; no I/O). */
export type ProviderFactory = (config: Config, env: ProviderEnv) => Provider;
