/**
 * The operating system's part of the synthetic children's confinement: each child (the browser
 * host with its Chromium, and every script runner) starts in a network namespace of its own, whose
 * only network is its loopback, and as an unprivileged user, so Chromium's own sandbox can start.
 * Vigil reaches the children, and they Vigil, only through Unix sockets (bridge.ts). JavaScript
 * seals (sandbox.ts) are a second layer: a script that reaches the runner's real `process` can
 * open sockets, but they lead nowhere.
 *
 * Unix sockets named by a path are not in the network namespace: a mount namespace hides /run
 * (and /var/run) under an empty tmpfs, where the system's services keep theirs (PostgreSQL,
 * MySQL, D-Bus, Docker). Sockets elsewhere stay reachable as far as their permissions allow.
 *
 * As root: `unshare --net --mount`, then `setpriv` to an unprivileged uid and gid (SANDBOX_IDS)
 * with no capabilities. As another user: `unshare --user --map-current-user --keep-caps --net --mount`,
 * then `setpriv` dropping the namespace's capabilities. In between, `ip link set lo up` (a new
 * namespace's loopback is down) and the tmpfs mounts.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The unprivileged users (and groups) the children run as when Vigil is root: nobody for the
 * browser host, the id below it for runners, so a runner cannot enter the host's directory (where
 * the Playwright server's socket is, unscreened) nor signal it.
 */
export const SANDBOX_IDS = { host: 65534, runner: 65533 } as const;
export type Child = keyof typeof SANDBOX_IDS;
const DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];

export type Isolation =
  | {
      ok: true;
      /** The uid that must own a child's writable directory, when it differs from ours. */
      owner(child: Child): number | undefined;
      /** The command line that runs `argv` isolated, as `child`. */
      wrap(argv: string[], child: Child): string[];
    }
  | { ok: false; reason: string };

function realpathOr(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function find(name: string, dirs: string[]): string | undefined {
  for (const dir of dirs) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * How to isolate a child here, or what the host lacks. `readable` are files the child must read
 * (its code): the trial run checks the unprivileged user can.
 */
export async function detectIsolation(readable: string[], dirs = DIRS): Promise<Isolation> {
  const tools = {
    unshare: find('unshare', dirs),
    setpriv: find('setpriv', dirs),
    mount: find('mount', dirs),
    ip: find('ip', dirs),
  };
  const missing = Object.entries(tools)
    .filter(([, path]) => !path)
    .map(([name]) => name);
  if (missing.length)
    return {
      ok: false,
      reason: `this host lacks ${missing.join(', ')} (Debian: apt install util-linux mount iproute2)`,
    };
  const { unshare, setpriv, mount, ip } = tools as Record<keyof typeof tools, string>;
  const root = process.getuid?.() === 0;
  const enter = root
    ? [unshare, '--net', '--mount', '--']
    : [unshare, '--user', '--map-current-user', '--keep-caps', '--net', '--mount', '--'];
  const hidden = ['/run', ...(realpathOr('/var/run') === '/run' ? [] : ['/var/run'])].filter(
    (dir) => realpathOr(dir) !== undefined,
  );
  const hide = hidden.map((dir) => `${mount} -t tmpfs -o size=64k,mode=755 vigil-empty ${dir} && `).join('');
  const drop = (child: Child) =>
    root
      ? [
          setpriv,
          `--reuid=${SANDBOX_IDS[child]}`,
          `--regid=${SANDBOX_IDS[child]}`,
          '--clear-groups',
          '--inh-caps=-all',
          '--bounding-set=-all',
        ]
      : [setpriv, '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all'];
  const wrap = (argv: string[], child: Child) => [
    ...enter,
    '/bin/sh',
    '-c',
    `${hide}${ip} link set lo up && exec ${drop(child).join(' ')} -- "$@"`,
    'vigil-sandbox',
    ...argv,
  ];
  const trial = wrap(
    [
      process.execPath,
      '-e',
      `for (const f of ${JSON.stringify(readable)}) require('node:fs').accessSync(f, require('node:fs').constants.R_OK)`,
    ],
    'runner',
  );
  const failure = await new Promise<string | undefined>((resolve) => {
    execFile(trial[0] as string, trial.slice(1), { timeout: 20_000, env: {} }, (err, _out, stderr) => {
      if (!err) return resolve(undefined);
      const lines = `${stderr}\n${err.message}`.split('\n').map((l) => l.trim());
      // The line that says why (Node's own errors start with where they were thrown).
      resolve(
        (
          lines.find((l) =>
            /error|denied|not permitted|EACCES|unshare:|setpriv:|RTNETLINK|mount:/i.test(l),
          ) ??
          lines.find(Boolean) ??
          'it failed'
        ).slice(0, 200),
      );
    });
  });
  if (failure !== undefined) {
    const why = failure;
    const denied = /EACCES/.test(why);
    return {
      ok: false,
      reason: denied
        ? `the unprivileged user ${SANDBOX_IDS.runner} cannot read Vigil's code (${why}); install Vigil where every user can read it`
        : `this host cannot give a process a network namespace of its own${root ? '' : ' (Vigil is not root, and user namespaces are not allowed)'}: ${why}`,
    };
  }
  return { ok: true, owner: (child) => (root ? SANDBOX_IDS[child] : undefined), wrap };
}
