/**
 * `dns` checks: a record lookup, at the given resolvers or the system's, compared with the
 * expected answers (all of them present, or exactly them).
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { dns } from '../../../../core/check-kinds/dns.js';
import type { CheckTarget, ProbeResult } from '../../../../core/checks.js';
import { TimeoutError } from '../http-request.js';
import { checkLiteral } from '../target-guard.js';
import type { ProbeEnv } from './context.js';

type RecordType = 'A' | 'AAAA' | 'CNAME' | 'MX' | 'NS' | 'TXT' | 'SOA' | 'SRV' | 'PTR' | 'CAA';

/** Every answer as one line of text, as `dig +short` would print it. */
function text(type: RecordType, answers: unknown): string[] {
  const list = Array.isArray(answers) ? answers : [answers];
  return list.map((a) => {
    switch (type) {
      case 'MX':
        return `${a.priority} ${a.exchange}`;
      case 'TXT':
        return (a as string[]).join('');
      case 'SRV':
        return `${a.priority} ${a.weight} ${a.port} ${a.name}`;
      case 'SOA':
        return `${a.nsname} ${a.hostmaster} ${a.serial}`;
      case 'CAA':
        return `${a.critical} ${Object.keys(a).find((k) => k !== 'critical')} ${Object.values(a).find((v) => typeof v === 'string')}`;
      default:
        return String(a);
    }
  });
}

/** The address of `1.2.3.4`, `1.2.3.4:53`, `fd00::1` or `[fd00::1]:53`. */
function hostOf(server: string): string {
  if (isIP(server)) return server;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(server)?.[1];
  return bracketed ?? server.replace(/:\d+$/, '');
}

export async function probe(t: CheckTarget, env: ProbeEnv): Promise<ProbeResult> {
  const p = dns.parameters.parse(t.parameters);
  const type = p.record_type ?? 'A';
  const left = Math.max(1, env.deadline - Date.now());
  const resolver = new Resolver({ timeout: left, tries: 1 });
  if (p.dns_servers?.length) {
    for (const server of p.dns_servers) checkLiteral(hostOf(server), env.blockPrivate);
    resolver.setServers(p.dns_servers);
  }
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const answers = await Promise.race([
    resolver.resolve(t.host ?? '', type),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        resolver.cancel();
        reject(new TimeoutError(`No DNS answer within ${t.timeout} s`));
      }, left);
    }),
  ]).finally(() => clearTimeout(timer));
  const elapsed = Math.round(performance.now() - start);
  const got = text(type, answers);
  const expected = p.expected_answers ?? [];
  const mode = p.validation_mode ?? 'contains_all';
  const missing = expected.filter((e) => !got.includes(e));
  const extra = mode === 'exact' ? got.filter((g) => !expected.includes(g)) : [];
  const passed = missing.length === 0 && extra.length === 0;
  return {
    status: passed ? 'ok' : 'failed',
    response_time: elapsed,
    error_message: passed
      ? null
      : missing.length
        ? `Missing ${type} answer(s): ${missing.join(', ')}`
        : `Unexpected ${type} answer(s): ${extra.join(', ')}`,
    check_metadata: {
      host: t.host,
      record_type: type,
      answers: got,
      resolvers: p.dns_servers ?? resolver.getServers(),
      expected_answers: expected,
      validation_mode: mode,
    },
  };
}
