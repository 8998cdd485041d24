/**
 * Where Vigil keeps its data when VIGIL_DATA_DIR and --data-dir say nothing: the platform's
 * per-user data directory, so that a client starting Vigil in a directory it cannot write (Claude
 * Desktop starts servers in `/`) still works, and every client on the machine shares one store.
 */
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The per-user data directory for `platform`, from the environment and the home directory:
 * Linux and other Unix `$XDG_DATA_HOME/vigil` (an absolute path, as the XDG spec requires) or
 * `~/.local/share/vigil`; macOS `~/Library/Application Support/vigil`; Windows
 * `%LOCALAPPDATA%\vigil` or `~\AppData\Local\vigil`.
 */
export function platformDataDir(platform: NodeJS.Platform, env: Env, home: string): string {
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA?.trim();
    return local ? win32.join(local, 'vigil') : win32.join(home, 'AppData', 'Local', 'vigil');
  }
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', 'vigil');
  const xdg = env.XDG_DATA_HOME?.trim();
  return xdg && posix.isAbsolute(xdg)
    ? posix.join(xdg, 'vigil')
    : posix.join(home, '.local', 'share', 'vigil');
}

/** The default data directory of this process, with `env` as the environment it was given. */
export function defaultDataDir(env: Env): string {
  const home = (process.platform === 'win32' ? env.USERPROFILE : env.HOME)?.trim() || homedir();
  return platformDataDir(process.platform, env, home);
}
