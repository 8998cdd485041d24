#!/usr/bin/env node
/**
 * The `vigil` command. Without a command it serves MCP over stdio (what MCP clients spawn);
 * `serve` runs the HTTP server; `call`, `tools` and `keys` are one-shot commands.
 */
import { parseArgs } from 'node:util';
import { type Config, ConfigError, parseConfig } from '../core/config.js';
import { VigilError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import { prepareDataDir } from './data-dir.js';
import { type FlagName, readEnv, withFlags } from './env.js';
import { StartupError, UsageError } from './errors.js';
import type { Runtime } from './runtime.js';
import { VERSION } from './version.js';

const USAGE = `Usage: vigil [command] [flags]

Commands:
  (none)                       serve MCP over stdio (TRANSPORT_MODE=sse|http serves HTTP instead)
  serve                        serve MCP over HTTP: /mcp, /sse, /healthz
  call <tool> [json-args]      call one tool and print its result (exit 1 on an error result)
  tools                        list the tools with toolset, mode and estimated tokens
  keys create --name N [--mode read_only|read_write] [--toolsets a,b] [--user EMAIL]
  keys list | keys revoke <id-or-name>

Flags: --mode, --host, --port, --data-dir, --database-url, --transport, --toolsets, --user-email,
       --env-file (default .env), --version, --help`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      mode: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      transport: { type: 'string' },
      toolsets: { type: 'string' },
      'user-email': { type: 'string' },
      'env-file': { type: 'string' },
      name: { type: 'string' },
      user: { type: 'string' },
      version: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  // Heavy modules load after the arguments are read, and only those the command needs.
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  const flags: Partial<Record<FlagName, string>> = values;
  const { configure } = await import('./providers.js');
  const config = configure(parseConfig(withFlags(readEnv(process.env, values['env-file']), flags)));
  // SQLite lives in the data directory; PostgreSQL needs it only for a key file, made when used.
  if (!config.databaseUrl) prepareDataDir(config.dataDir);

  switch (command) {
    case undefined:
    case 'serve': {
      const http = command === 'serve' || config.transport === 'sse' || config.transport === 'http';
      const [{ serveHttp, serveStdioMode }, { openRuntime }] = await Promise.all([
        import('./serve.js'),
        import('./runtime.js'),
      ]);
      const rt = await openRuntime(config);
      try {
        await (http ? serveHttp(rt) : serveStdioMode(rt));
      } catch (err) {
        await rt.close();
        throw err;
      }
      return -1; // keep running
    }
    case 'call': {
      const [tool, json] = rest;
      if (!tool)
        throw new UsageError('vigil call needs a tool name, e.g. vigil call get_users \'{"query":"ann"}\'');
      let args: unknown = {};
      if (json !== undefined) {
        try {
          args = JSON.parse(json);
        } catch (err) {
          throw new UsageError(`the arguments are not valid JSON: ${(err as Error).message}`);
        }
      }
      const { runCall } = await import('./commands.js');
      return withRuntime(config, (rt) => runCall(rt, tool, args));
    }
    case 'tools': {
      const { runTools } = await import('./commands.js');
      return withRuntime(config, async (rt) => runTools(rt));
    }
    case 'keys': {
      const [action, target] = rest;
      const { runKeys } = await import('./commands.js');
      return withRuntime(config, (rt) =>
        runKeys(rt, action, target, {
          name: values.name,
          mode: values.mode,
          toolsets: values.toolsets,
          user: values.user,
        }),
      );
    }
    default:
      throw new UsageError(`unknown command '${command}'.\n${USAGE}`);
  }
}

async function withRuntime(config: Config, fn: (rt: Runtime) => Promise<number> | number): Promise<number> {
  const { openRuntime } = await import('./runtime.js');
  const rt = await openRuntime(config, silentLogger());
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

// SIGUSR1 would open Node's inspector on 127.0.0.1:9229 (code execution in Vigil for anything
// local that can send it a signal); a listener of our own keeps it closed.
process.on('SIGUSR1', () => {
  process.stderr.write('vigil: SIGUSR1 ignored (the inspector stays closed)\n');
});

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof UsageError || err instanceof StartupError) {
      process.stderr.write(`vigil: ${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof VigilError) {
      process.stderr.write(`vigil: ${err.message}\n`);
      process.exit(1);
    }
    if (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`vigil: ${err.message}\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`vigil: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
