/**
 * The JavaScript part of the synthetic check's children's confinement (the operating system's is
 * isolation.ts): Node's permission model flags, a clean environment, and, inside a runner, a
 * network limited to the one relay connection. Node 20 to 24 have no network permission, so the
 * runner seals `net.Socket#connect` and UDP itself before any script runs — a second layer, since
 * a script reaching Node's C++ sockets (a `dns.Resolver`) goes around it into an empty namespace.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import os from 'node:os';

/** Node flags confining a child to reading `read`, writing `write`, and (when asked) spawning. */
export function permissionFlags(opts: {
  read: string[];
  write?: string[];
  childProcess?: boolean;
}): string[] {
  // --permission since Node 22.13/23.5; --experimental-permission before (the same model).
  const flag = process.allowedNodeEnvironmentFlags.has('--permission')
    ? '--permission'
    : '--experimental-permission';
  return [
    flag,
    ...opts.read.map((p) => `--allow-fs-read=${p}`),
    ...(opts.write ?? []).map((p) => `--allow-fs-write=${p}`),
    ...(opts.childProcess ? ['--allow-child-process'] : []),
    '--no-warnings',
  ];
}

/**
 * Playwright probes a few system files at load (WSL detection); under the permission model Node
 * 20 throws for those instead of answering false. A denied probe is a missing file.
 */
export function allowProbes(): void {
  const existsSync = fs.existsSync;
  fs.existsSync = (path) => {
    try {
      return existsSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_ACCESS_DENIED') return false;
      throw err;
    }
  };
}

/**
 * From now on this process connects only to `host:port` and the Unix socket `path`, and sends no
 * UDP. Cannot be undone.
 */
export function confineNetwork(host: string, port: number, path: string): void {
  const connect = net.Socket.prototype.connect;
  const sealed = function (this: net.Socket, ...args: unknown[]) {
    // net.connect passes its normalized arguments as one array: [options, callback].
    const first = Array.isArray(args[0]) ? (args[0][0] as unknown) : args[0];
    const options = (
      typeof first === 'object' && first !== null ? first : { port: first, host: args[1] }
    ) as {
      port?: unknown;
      host?: unknown;
      path?: unknown;
    };
    const allowed =
      options.path != null
        ? options.path === path
        : String(options.host ?? 'localhost') === host && Number(options.port) === port;
    if (!allowed) {
      throw new Error('Synthetic scripts cannot open network connections of their own; use page or request.');
    }
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  };
  Object.defineProperty(net.Socket.prototype, 'connect', {
    value: sealed,
    writable: false,
    configurable: false,
  });
  const refuse = () => {
    throw new Error('Synthetic scripts cannot send UDP.');
  };
  for (const method of ['send', 'connect', 'bind'] as const) {
    Object.defineProperty(dgram.Socket.prototype, method, {
      value: refuse,
      writable: false,
      configurable: false,
    });
  }
}

/**
 * From now on this process sends no signals, debugs no process and reprioritises none. A script
 * can reach the runner's real `process` (any object from the runner's realm leads to its Function
 * constructor), and signals are outside the permission model (files, child processes, workers
 * and native code are inside it): without this it could kill Vigil. Cannot be undone.
 */
export function confineProcess(): void {
  const refuse = (what: string) => () => {
    throw new Error(`Synthetic scripts cannot ${what}.`);
  };
  const sealed: [object, string, string][] = [
    [process, 'kill', 'send signals'],
    [process, '_kill', 'send signals'],
    [process, '_debugProcess', 'debug other processes'],
    [os, 'setPriority', 'change process priorities'],
  ];
  for (const [owner, name, what] of sealed) {
    Object.defineProperty(owner, name, { value: refuse(what), writable: false, configurable: false });
  }
  // `import('node:os')` hands out named exports; make them the sealed ones too.
  syncBuiltinESMExports();
}
