/**
 * Runs one `vigil` command to completion.
 */
import { spawnSync } from 'node:child_process';
import { VIGIL_BIN } from './vigil.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function vigil(args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [VIGIL_BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
