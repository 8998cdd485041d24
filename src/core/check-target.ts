/**
 * What each type of check needs beyond its parameters: a URL for web and api, a host and port
 * for tcp, a host for dns and icmp, a host or URL for ssl, steps or a script for the others (a
 * script that does not compile is refused here, with its line). Errors name the parameter at fault.
 */

import { type CheckType, parametersOf } from './checks.js';
import { ValidationError } from './errors.js';
import { compileScript, ScriptError } from './pw-script.js';

export interface TargetFields {
  type: CheckType;
  url?: string | null | undefined;
  host?: string | null | undefined;
  port?: number | null | undefined;
  parameters?: Record<string, unknown> | undefined;
}

function httpUrl(url: string, parameter: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/\{\{\s*\w+\s*\}\}/g, 'x'));
  } catch {
    throw new ValidationError(
      `${parameter} '${url}' is not a valid URL; write it like https://example.com/health.`,
      {
        parameter,
      },
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ValidationError(`${parameter} must be an http:// or https:// URL, not ${parsed.protocol}`, {
      parameter,
    });
  }
}

/** Checks the target and parameters of a check; returns the parameters with their defaults. */
export function checkTarget(t: TargetFields, prefix = ''): Record<string, unknown> {
  const need = (field: 'url' | 'host' | 'port', why: string) => {
    if (t[field] === undefined || t[field] === null || t[field] === '') {
      throw new ValidationError(`A ${t.type} check needs \`${prefix}${field}\` (${why}).`, {
        parameter: `${prefix}${field}`,
      });
    }
  };
  if (t.type === 'web' || t.type === 'api') {
    need('url', 'the address to request');
    httpUrl(t.url as string, `${prefix}url`);
  }
  if (t.type === 'tcp') {
    need('host', 'the host to connect to');
    need('port', 'the port to connect to');
  }
  if (t.type === 'dns' || t.type === 'icmp')
    need('host', t.type === 'dns' ? 'the name to resolve' : 'the host to ping');
  if (t.type === 'ssl' && !t.host && !t.url) need('host', 'the TLS server, or give url');
  if (t.type === 'ssl' && t.url) httpUrl(t.url, `${prefix}url`);
  const parsed = parametersOf(t.type).safeParse(t.parameters ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') ?? '';
    const parameter = `${prefix}parameters${path}`;
    const message =
      issue?.code === 'unrecognized_keys'
        ? `Unknown ${t.type} parameter(s) ${issue.keys.map((k) => `\`${k}\``).join(', ')} in \`${parameter}\`.`
        : `Invalid \`${parameter}\`: ${issue?.message ?? 'invalid'}`;
    throw new ValidationError(message, { parameter });
  }
  if ((t.type === 'synthetic' || t.type === 'multistep') && t.url) httpUrl(t.url, `${prefix}url`);
  const { steps, pw_script } = parsed.data as { steps?: { request: { url: string } }[]; pw_script?: string };
  for (const [i, s] of (steps ?? []).entries())
    httpUrl(s.request.url, `${prefix}parameters.steps[${i}].request.url`);
  if (pw_script !== undefined) {
    try {
      compileScript(pw_script);
    } catch (err) {
      if (!(err instanceof ScriptError)) throw err;
      throw new ValidationError(`Invalid \`${prefix}parameters.pw_script\`: ${err.message}`, {
        parameter: `${prefix}parameters.pw_script`,
        ...(err.line && { line: err.line }),
      });
    }
  }
  return t.parameters ?? {};
}
