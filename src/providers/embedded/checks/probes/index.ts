/**
 * Runs a check of any type once: the probe for its type, under its timeout, with every failure
 * turned into a result (a timeout is `timeout`, anything else `failed` with its message).
 *
 * Each type's probe is the module named for it beside this one, exporting `probe`; a type that
 * shares another's kind (`api` is `web` under Pingera's name) runs that type's module. So adding a
 * kind of check adds one file here and no line: `probes.test.ts` fails for a type without one. A
 * module loads on its type's first run, which keeps kinds a server never runs out of its memory.
 */
import { CHECK_TYPES, kindOf } from '../../../../core/check-kinds/index.js';
import type { CheckTarget, CheckType, ProbeResult } from '../../../../core/checks.js';
import { TimeoutError } from '../http-request.js';
import type { ProbeEnv } from './context.js';

export type Probe = (t: CheckTarget, env: ProbeEnv) => Promise<ProbeResult>;

const loaded = new Map<CheckType, Promise<Probe>>();

/** The probe of a type, loaded once. */
export function probeFor(type: CheckType): Promise<Probe> {
  let probe = loaded.get(type);
  if (!probe) {
    const name = CHECK_TYPES.find((t) => kindOf(t) === kindOf(type)) ?? type;
    // Resolved at run time, as Node does; the comment keeps Vite (the tests) from rewriting it.
    probe = import(/* @vite-ignore */ `./${name}.js`).then((m: { probe?: Probe }) => {
      if (typeof m.probe !== 'function') throw new Error(`checks/probes/${name}.js exports no probe`);
      return m.probe;
    });
    loaded.set(type, probe);
  }
  return probe;
}

export async function runProbe(target: CheckTarget, opts: Omit<ProbeEnv, 'deadline'>): Promise<ProbeResult> {
  const start = performance.now();
  const deadline = Date.now() + target.timeout * 1000;
  try {
    const probe = await probeFor(target.type);
    return await probe(target, { ...opts, deadline });
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
