/**
 * `ssl` checks: the certificate a TLS server presents — days to expiry (degraded within the
 * threshold, failed once expired), the host name it is valid for, and whether its chain is
 * trusted.
 */

import { isIP } from 'node:net';
import { checkServerIdentity, connect, type PeerCertificate } from 'node:tls';
import { ssl } from '../../../../core/check-kinds/ssl.js';
import type { CheckTarget, ProbeResult } from '../../../../core/checks.js';
import { TimeoutError } from '../http-request.js';
import { checkLiteral, guardedLookup } from '../target-guard.js';
import type { ProbeEnv } from './context.js';

const DEFAULT_THRESHOLD_DAYS = 14;

export function probe(t: CheckTarget, env: ProbeEnv): Promise<ProbeResult> {
  const p = ssl.parameters.parse(t.parameters);
  const url = t.url ? new URL(t.url) : undefined;
  const host = t.host ?? url?.hostname ?? '';
  const port = t.port ?? (url?.port ? Number(url.port) : 443);
  checkLiteral(host, env.blockPrivate);
  const threshold = p.expiry_threshold_days ?? DEFAULT_THRESHOLD_DAYS;
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      ...(isIP(host) ? {} : { servername: host }),
      rejectUnauthorized: false,
      lookup: guardedLookup(env.blockPrivate) as never,
    });
    const timer = setTimeout(
      () => socket.destroy(new TimeoutError(`No TLS handshake with ${host}:${port} within ${t.timeout} s`)),
      Math.max(0, env.deadline - Date.now()),
    );
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const elapsed = Math.round(performance.now() - start);
      const cert = socket.getPeerCertificate(true);
      const chainError = socket.authorizationError ? String(socket.authorizationError) : null;
      const protocol = socket.getProtocol();
      socket.destroy();
      if (!cert?.valid_to) return reject(new Error(`${host}:${port} presented no certificate`));
      resolve(judge(cert, host, port, threshold, p.verify_chain ?? true, chainError, protocol, elapsed));
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function judge(
  cert: PeerCertificate,
  host: string,
  port: number,
  threshold: number,
  verifyChain: boolean,
  chainError: string | null,
  protocol: string | null,
  elapsed: number,
): ProbeResult {
  const validTo = new Date(cert.valid_to);
  const days = Math.floor((validTo.getTime() - Date.now()) / 86_400_000);
  const hostError = checkServerIdentity(host, cert);
  // A self-signed or unknown-issuer chain is what `chain_error` reports; expiry is judged apart.
  const chainProblem = chainError && chainError !== 'CERT_HAS_EXPIRED' ? chainError : null;
  const problems = [
    days < 0 && `The certificate expired on ${validTo.toISOString()}`,
    hostError && `The certificate is not valid for ${host}: ${hostError.message}`,
    verifyChain && chainProblem && `The certificate chain is not trusted: ${chainProblem}`,
  ].filter((x): x is string => Boolean(x));
  const expiring = days >= 0 && days < threshold;
  return {
    status: problems.length ? 'failed' : expiring ? 'degraded' : 'ok',
    response_time: elapsed,
    error_message:
      problems[0] ?? (expiring ? `The certificate expires in ${days} day(s), within ${threshold}` : null),
    check_metadata: {
      host,
      port,
      protocol,
      subject: cert.subject?.CN ?? null,
      issuer: cert.issuer?.CN ?? null,
      subject_alt_names: cert.subjectaltname ?? null,
      valid_from: new Date(cert.valid_from).toISOString(),
      valid_to: validTo.toISOString(),
      days_remaining: days,
      expiry_threshold_days: threshold,
      hostname_valid: !hostError,
      chain_valid: !chainProblem,
      chain_error: chainProblem,
    },
  };
}
