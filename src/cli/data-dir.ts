/**
 * The data directory made ready before anything opens in it: created when missing, and refused
 * with one line naming it and the cause when it cannot be used (a read-only place such as `/`
 * where some clients start servers, a file in the way), instead of a stack trace.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { StartupError } from './errors.js';

const CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOTDIR: 'part of the path is a file',
  EEXIST: 'a file is in the way',
  ENOSPC: 'no space left on the device',
};

export function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.R_OK | constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const cause = CAUSES[code] ?? (err as Error).message;
    throw new StartupError(
      `cannot use the data directory ${dir} (${cause}): set VIGIL_DATA_DIR or --data-dir to a directory this user can write`,
    );
  }
}
