/**
 * Runs the built `vigil` binary as a real child process, for end-to-end tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VIGIL_BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export function tempDir(prefix = 'vigil-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface RunningVigil {
  child: ChildProcess;
  base: string;
  stderr: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `vigil serve` on a free port and resolves once it logs where it listens. */
export async function startVigil(
  env: Record<string, string>,
  args: string[] = ['serve'],
): Promise<RunningVigil> {
  const child = spawn(process.execPath, [VIGIL_BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HTTP_PORT: '0', VIGIL_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A server that never said where it listens must not outlive the test that started it.
      child.kill('SIGKILL');
      reject(new Error(`vigil did not start:\n${err}`));
    }, 15_000);
    const onData = () => {
      const m = /"mcp":"(http:\/\/[^"]+)\/mcp"/.exec(err);
      if (m?.[1]) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        resolve(m[1]);
      }
    };
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`vigil exited with ${code}:\n${err}`));
    });
  });
  return {
    child,
    base,
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
