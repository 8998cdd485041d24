/**
 * `icmp` checks through the system's `ping` (iputils): packet loss against the allowed maximum,
 * and round-trip times. Where `ping` is missing, the check says so.
 */
import { execFile } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { icmp } from '../../../../core/check-kinds/icmp.js';
import type { CheckTarget, ProbeResult } from '../../../../core/checks.js';
import { refusal, TargetRefusedError } from '../target-guard.js';
import type { ProbeEnv } from './context.js';

export async function probe(t: CheckTarget, env: ProbeEnv): Promise<ProbeResult> {
  const p = icmp.parameters.parse(t.parameters);
  const host = t.host ?? '';
  const family = p.ip_version === 'v4' ? 4 : p.ip_version === 'v6' ? 6 : 0;
  const address = isIP(host) ? host : (await lookup(host, { family })).address;
  const reason = refusal(address, env.blockPrivate);
  if (reason) throw new TargetRefusedError(reason);
  const count = p.probe_count ?? 4;
  const args = [
    '-n',
    '-c',
    String(count),
    '-i',
    String(p.probe_interval ?? 1),
    '-W',
    String(Math.ceil(p.probe_timeout ?? 1)),
    ...(isIP(address) === 6 ? ['-6'] : []),
    address,
  ];
  const start = performance.now();
  const output = await new Promise<string>((resolve, reject) => {
    execFile('ping', args, { timeout: Math.max(1, env.deadline - Date.now()) }, (err, stdout, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        return reject(
          new Error(
            'ICMP checks need the system `ping` (Debian: apt install iputils-ping); it is not installed here.',
          ),
        );
      }
      // ping exits 1 when packets were lost; its summary still says how many.
      if (/packets transmitted/.test(stdout)) return resolve(stdout);
      reject(new Error((stderr || (err as Error | null)?.message || 'ping failed').trim()));
    });
  });
  const elapsed = Math.round(performance.now() - start);
  const stats = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(output);
  const rtt = /= ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(output);
  const sent = Number(stats?.[1] ?? count);
  const received = Number(stats?.[2] ?? 0);
  const loss = sent ? Math.round(((sent - received) / sent) * 1000) / 10 : 100;
  const maxLoss = p.assertions?.max_packet_loss ?? 0;
  const ok = received > 0 && loss <= maxLoss;
  return {
    status: ok ? 'ok' : 'failed',
    response_time: rtt ? Math.round(Number(rtt[2])) : elapsed,
    error_message: ok ? null : `${loss}% packet loss (at most ${maxLoss}% allowed)`,
    check_metadata: {
      host,
      ip: address,
      packets_sent: sent,
      packets_received: received,
      packet_loss: loss,
      ...(rtt && {
        rtt_ms: { min: Number(rtt[1]), avg: Number(rtt[2]), max: Number(rtt[3]), mdev: Number(rtt[4]) },
      }),
    },
  };
}
