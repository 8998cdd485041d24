/**
 * What each client is shown and may call, from the settings (VIGIL_TOOLSETS, VIGIL_TOOLS,
 * VIGIL_EXCLUDE_TOOLS) and the client's own choice (X-MCP-Toolsets, X-MCP-Tools). Every name is
 * checked once, where it enters: a typo is an error naming the valid ones, never an empty list.
 */
import { type Config, ConfigError } from '../core/config.js';
import type { PortName } from '../core/ports.js';
import type { Principal } from '../core/principal.js';
import {
  checkToolNames,
  type Profile,
  resolveSelection,
  type Seeds,
  SelectionError,
  type ToolMeta,
} from './profiles.js';
import type { CompiledTool, ExposureInput } from './registry.js';

/** A client's own narrowing, from its request headers; names already checked. */
export interface ClientChoice {
  /** X-MCP-Tools: exactly these tools are listed (within what the server allows). */
  tools?: readonly string[] | undefined;
  /** X-MCP-Toolsets: profiles and toolsets listed instead of the server's default. */
  toolsets?: readonly string[] | undefined;
}

export interface ExposureOptions {
  config: Pick<Config, 'mode' | 'toolsets' | 'tools' | 'excludeTools'>;
  tools: ReadonlyMap<string, CompiledTool>;
  ports: ReadonlySet<PortName>;
  unsupported?: ReadonlyMap<string, string> | undefined;
  /** What the profile `default` stands for with the providers in use. */
  defaults: readonly Profile[];
  /** The seeds' profiles, by the name of the provider standing in for each. */
  seeds?: Seeds | undefined;
}

const intersect = (a: ReadonlySet<string> | undefined, b: Iterable<string>) =>
  new Set([...b].filter((n) => !a || a.has(n)));

export class Exposure {
  private readonly meta: ToolMeta[];
  /** The ceiling set on purpose in the settings; undefined when none was. */
  private readonly allowed: ReadonlySet<string> | undefined;
  private readonly listed: ReadonlySet<string>;

  /** Throws ConfigError naming the setting that holds an unknown name. */
  constructor(private readonly options: ExposureOptions) {
    const { config } = options;
    this.meta = [...options.tools.values()].map((t) => ({ name: t.def.name, toolset: t.def.toolset }));
    const bySetting = (variable: string, check: () => void) => {
      try {
        check();
      } catch (err) {
        if (err instanceof SelectionError) throw new ConfigError(variable, err.message);
        throw err;
      }
    };
    let allowed: Set<string> | undefined;
    bySetting('VIGIL_TOOLSETS', () => {
      if (config.toolsets)
        allowed = resolveSelection(config.toolsets, this.meta, options.defaults, options.seeds);
    });
    bySetting('VIGIL_TOOLS', () => {
      if (!config.tools) return;
      checkToolNames(config.tools, this.meta);
      allowed = intersect(allowed, config.tools);
    });
    bySetting('VIGIL_EXCLUDE_TOOLS', () => checkToolNames(config.excludeTools, this.meta));
    this.allowed = allowed;
    this.listed = allowed ?? resolveSelection(['default'], this.meta, options.defaults, options.seeds);
  }

  /** What is wrong with a client's headers, naming the header and the bad names; undefined if nothing. */
  problemWith(choice: ClientChoice): string | undefined {
    try {
      if (choice.tools) checkToolNames(choice.tools, this.meta);
    } catch (err) {
      if (err instanceof SelectionError) return `X-MCP-Tools: ${err.message}`;
      throw err;
    }
    try {
      if (choice.toolsets)
        resolveSelection(choice.toolsets, this.meta, this.options.defaults, this.options.seeds);
    } catch (err) {
      if (err instanceof SelectionError) return `X-MCP-Toolsets: ${err.message}`;
      throw err;
    }
    return undefined;
  }

  /**
   * The verdict input for one caller. What a client chose is also all it may call; the server's
   * default profile only decides what is listed.
   */
  input(principal: Principal, choice: ClientChoice = {}): ExposureInput {
    let chosen: ReadonlySet<string> | undefined;
    if (choice.tools) chosen = intersect(this.allowed, choice.tools);
    else if (choice.toolsets)
      chosen = intersect(
        this.allowed,
        resolveSelection(choice.toolsets, this.meta, this.options.defaults, this.options.seeds),
      );
    return {
      config: this.options.config,
      ports: this.options.ports,
      unsupported: this.options.unsupported,
      principal,
      listed: chosen ?? this.listed,
      allowed: chosen ?? this.allowed,
    };
  }
}
