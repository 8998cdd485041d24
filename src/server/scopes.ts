/**
 * What a token's claims grant: the mode and toolsets of a JWT's `mode` and `toolsets` claims, or
 * of an OAuth access token's `vigil:*` scopes. A claim or scope Vigil does not know refuses the
 * token, naming it, since ignoring it could widen what was meant.
 */

import { nameList } from '../core/name-list.js';
import type { Mode } from '../core/principal.js';
import { TOOLSETS } from '../tools/define-tool.js';

/** The OAuth scopes Vigil reads (documented in the README); any other `vigil:` scope is refused. */
export const OAUTH_SCOPES = {
  read: 'vigil:read',
  write: 'vigil:write',
  /** `vigil:toolset:<name>` limits the token to that toolset; several may be granted. */
  toolsetPrefix: 'vigil:toolset:',
} as const;

const MODES: readonly Mode[] = ['read_only', 'read_write'];
const KNOWN_TOOLSETS: ReadonlySet<string> = new Set(TOOLSETS);

/**
 * The mode and toolsets a JWT's claims grant. Absent claims leave the server's mode and no toolset
 * limit; a claim present with a value Vigil does not know is refused, naming the claim.
 */
export function jwtScope(
  claims: { mode?: unknown; toolsets?: unknown },
  serverMode: Mode,
): { mode: Mode; toolsets?: string[] } | { refused: string } {
  let mode = serverMode;
  if (claims.mode !== undefined) {
    if (!MODES.includes(claims.mode as Mode))
      return {
        refused: `The JWT's \`mode\` claim is ${JSON.stringify(claims.mode)}; it accepts ${MODES.join(' or ')}.`,
      };
    mode = claims.mode as Mode;
  }
  if (claims.toolsets === undefined) return { mode };
  const raw = claims.toolsets;
  const names =
    typeof raw === 'string'
      ? nameList(raw)
      : Array.isArray(raw) && raw.every((t) => typeof t === 'string')
        ? raw.map((t) => t.trim())
        : undefined;
  if (!names)
    return {
      refused:
        "The JWT's `toolsets` claim must be a list of toolset names or one comma-separated string of them.",
    };
  const toolsets = names.filter(Boolean);
  const unknown = toolsets.filter((t) => !KNOWN_TOOLSETS.has(t));
  if (unknown.length)
    return {
      refused: `The JWT's \`toolsets\` claim names unknown toolset(s) ${unknown.map((t) => `'${t}'`).join(', ')}; known: ${TOOLSETS.join(', ')}.`,
    };
  return { mode, toolsets };
}

/**
 * The mode and toolsets an access token's `scope` grants: vigil:write read_write, vigil:read
 * read_only (one of them is required), each vigil:toolset:<name> a toolset (none: no limit).
 * Scopes of other services (openid, offline_access) are left alone; an unknown `vigil:` scope or
 * toolset refuses the token, since ignoring it could widen what was meant.
 */
export function oauthScope(
  scope: unknown,
  serverMode: Mode,
): { mode: Mode; toolsets?: string[] } | { refused: string } {
  // RFC 9068's `scope` is one space-separated string; some servers send `scp`, a string or a list.
  const scopes =
    typeof scope === 'string'
      ? scope.split(' ').filter(Boolean)
      : Array.isArray(scope)
        ? scope.filter((s): s is string => typeof s === 'string')
        : [];
  const ours = scopes.filter((s) => s.startsWith('vigil:'));
  const toolsets: string[] = [];
  const unknown: string[] = [];
  for (const s of ours) {
    if (s === OAUTH_SCOPES.read || s === OAUTH_SCOPES.write) continue;
    const toolset = s.startsWith(OAUTH_SCOPES.toolsetPrefix)
      ? s.slice(OAUTH_SCOPES.toolsetPrefix.length)
      : '';
    if (KNOWN_TOOLSETS.has(toolset)) toolsets.push(toolset);
    else unknown.push(s);
  }
  if (unknown.length)
    return {
      refused: `The access token's scope names ${unknown.map((s) => `'${s}'`).join(', ')}, which Vigil does not know; it knows ${OAUTH_SCOPES.read}, ${OAUTH_SCOPES.write} and ${OAUTH_SCOPES.toolsetPrefix}<toolset> for ${TOOLSETS.join(', ')}.`,
    };
  const write = ours.includes(OAUTH_SCOPES.write);
  if (!write && !ours.includes(OAUTH_SCOPES.read))
    return {
      refused: `The access token grants no Vigil scope; ask for ${OAUTH_SCOPES.read} (or ${OAUTH_SCOPES.write}).`,
    };
  // The server's mode still caps a principal's; a read_only server never writes.
  const mode: Mode = write && serverMode === 'read_write' ? 'read_write' : 'read_only';
  return toolsets.length ? { mode, toolsets } : { mode };
}
