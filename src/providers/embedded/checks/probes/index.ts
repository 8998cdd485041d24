/**
 * Runs a check of any type once: the probe for its type, under its timeout, with every failure
 * turned into a result (a timeout is `timeout`, anything else `failed` with its message).
 */
import type { CheckTarget, CheckType, ProbeResult } from '../../../../core/checks.js';
import { TimeoutError } from '../http-request.js';
import type { ProbeEnv } from './context.js';
import { dnsProbe } from './dns.js';
import { httpProbe } from './http.js';
import { icmpProbe } from './icmp.js';
import { multistepProbe } from './multistep.js';
import { sslProbe } from './ssl.js';
import { syntheticProbe } from './synthetic.js';
import { tcpProbe } from './tcp.js';

type Probe = (t: CheckTarget, env: ProbeEnv) => Promise<ProbeResult>;

const PROBES: Record<CheckType, Probe> = {
  web: httpProbe,
  api: httpProbe,
  ssl: sslProbe,
  tcp: tcpProbe,
  dns: dnsProbe,
  icmp: icmpProbe,
  multistep: multistepProbe,
  synthetic: syntheticProbe,
};

export async function runProbe(target: CheckTarget, opts: Omit<ProbeEnv, 'deadline'>): Promise<ProbeResult> {
  const start = performance.now();
  const deadline = Date.now() + target.timeout * 1000;
  try {
    return await PROBES[target.type](target, { ...opts, deadline });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const timedOut = err instanceof TimeoutError || Date.now() >= deadline;
    return {
      status: timedOut ? 'timeout' : 'failed',
      response_time: Math.round(performance.now() - start),
      error_message: timedOut ? `Timed out after ${target.timeout} s` : describe(e),
      check_metadata: { ...(e.code && { error_code: e.code }) },
    };
  }
}

function describe(e: NodeJS.ErrnoException): string {
  if (e.code === 'ECONNREFUSED')
    return `Connection refused (${e.message.replace(/^connect ECONNREFUSED /, '')})`;
  if (e.code === 'ENOTFOUND') return `The host name does not resolve (${e.message})`;
  if (e.code === 'ECONNRESET') return 'The connection was reset';
  return e.message;
}
