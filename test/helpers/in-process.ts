/**
 * Vigil's HTTP app in the test's own process, wired by the same builder `vigil serve` uses: for
 * tests that need the runtime at hand (a fake clock, keys made before it listens, the store).
 */

import { openRuntime, type Runtime } from '../../src/cli/runtime.js';
import { httpApp } from '../../src/cli/serve.js';
import type { Clock } from '../../src/core/clock.js';
import { parseConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import type { HttpApp } from '../../src/http/app.js';
import { Authenticator } from '../../src/server/auth.js';
import { tempDir } from './vigil.js';

export interface InProcess {
  rt: Runtime;
  app: HttpApp;
  base: string;
  close(): Promise<void>;
}

/**
 * Read-write on a free port and a fresh SQLite store unless `env` says otherwise; `before` runs on
 * the runtime before the app is made (keys, pages).
 */
export async function serveInProcess(
  env: Record<string, string>,
  opts: { clock?: Clock; before?: (rt: Runtime) => Promise<void> } = {},
): Promise<InProcess> {
  const config = parseConfig({ VIGIL_MODE: 'read_write', HTTP_PORT: '0', VIGIL_DATA_DIR: tempDir(), ...env });
  const rt = await openRuntime(config, silentLogger(), opts.clock ? { clock: opts.clock } : {});
  await opts.before?.(rt);
  const app = await httpApp(rt, new Authenticator(config, rt.embedded.apiKeys));
  const base = `http://127.0.0.1:${(await app.listen()).port}`;
  return {
    rt,
    app,
    base,
    async close() {
      await app.close();
      await rt.close();
    },
  };
}
