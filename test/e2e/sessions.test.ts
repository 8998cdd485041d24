/**
 * Legacy SSE sessions are capped (503 past VIGIL_MAX_SESSIONS) and closed when idle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, connect } from '../helpers/clients.js';
import { type RunningVigil, startVigil, tempDir } from '../helpers/vigil.js';

const health = async (base: string) =>
  ((await (await fetch(`${base}/healthz`)).json()) as { sse_sessions: number }).sse_sessions;

describe('legacy SSE sessions', () => {
  let server: RunningVigil;
  beforeAll(async () => {
    server = await startVigil({
      VIGIL_DATA_DIR: tempDir(),
      VIGIL_MAX_SESSIONS: '2',
      VIGIL_SESSION_IDLE_SECONDS: '1',
    });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('refuses a session past the cap with 503, and serves again once one closes', async () => {
    const a = await connect('sse', { base: server.base });
    const b = await connect('sse', { base: server.base });
    expect(await health(server.base)).toBe(2);
    const refused = await fetch(`${server.base}/sse`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    await a.close();
    await expect.poll(() => health(server.base)).toBe(1);
    const c = await connect('sse', { base: server.base });
    expect((await callJson(c, 'get_teams')).isError).toBe(false);
    await Promise.all([b.close(), c.close()]);
    await expect.poll(() => health(server.base)).toBe(0);
  });

  it('closes a session left idle', async () => {
    const idle = await connect('sse', { base: server.base });
    expect(await health(server.base)).toBe(1);
    await expect.poll(() => health(server.base), { timeout: 5000, interval: 200 }).toBe(0);
    await expect(callJson(idle, 'get_teams')).rejects.toThrow();
    await idle.close().catch(() => undefined);
  });
});
