/**
 * `tcp` checks: the port accepts a connection in time.
 */
import { connect } from 'node:net';
import type { CheckTarget, ProbeResult } from '../../../../core/checks.js';
import { TimeoutError } from '../http-request.js';
import { checkLiteral, guardedLookup } from '../target-guard.js';
import type { ProbeEnv } from './context.js';

export function probe(t: CheckTarget, env: ProbeEnv): Promise<ProbeResult> {
  const host = t.host ?? '';
  const port = t.port ?? 0;
  checkLiteral(host, env.blockPrivate);
  const start = performance.now();
  let looked = 0;
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, lookup: guardedLookup(env.blockPrivate) as never });
    const timer = setTimeout(
      () => socket.destroy(new TimeoutError(`No connection to ${host}:${port} within ${t.timeout} s`)),
      Math.max(0, env.deadline - Date.now()),
    );
    socket.once('lookup', () => {
      looked = performance.now();
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      const end = performance.now();
      const ip = socket.remoteAddress ?? null;
      socket.destroy();
      resolve({
        status: 'ok',
        response_time: Math.round(end - start),
        error_message: null,
        check_metadata: {
          host,
          port,
          ip,
          timings: {
            dns: Math.round((looked || start) - start),
            connect: Math.round(end - (looked || start)),
          },
        },
      });
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
