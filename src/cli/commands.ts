/**
 * One-shot commands: `vigil call`, `vigil tools`, `vigil keys`. Results go to stdout; notes to stderr.
 */

import { nameList } from '../core/name-list.js';
import { checkToolsets, SelectionError } from '../server/profiles.js';
import { isWriteTool } from '../tools/define-tool.js';
import { UsageError } from './errors.js';
import { localPrincipal, type Runtime } from './runtime.js';

const out = (text: string) => process.stdout.write(`${text}\n`);
const note = (text: string) => process.stderr.write(`${text}\n`);

export async function runCall(rt: Runtime, tool: string, args: unknown): Promise<number> {
  const result = await rt.service.call({ principal: localPrincipal(rt.config), entry: 'cli' }, tool, args);
  out(JSON.stringify(result.structuredContent, null, 2));
  return result.isError ? 1 : 0;
}

/** Rough token count of a tool's `tools/list` entry (about 4 characters a token). */
export function estimateTokens(listing: object): number {
  return Math.ceil(JSON.stringify(listing).length / 4);
}

export function runTools(rt: Runtime): number {
  const caller = { principal: localPrincipal(rt.config) };
  const visible = new Set(rt.service.visible(caller).map((t) => t.def.name));
  const rows = [...rt.service.deps.tools.values()].map((t) => [
    t.def.name,
    t.def.toolset,
    isWriteTool(t.def) ? 'write' : 'read',
    String(estimateTokens(t.listing)),
    visible.has(t.def.name) ? 'yes' : 'no',
  ]);
  const header = ['TOOL', 'TOOLSET', 'MODE', 'TOKENS', 'LISTED'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const row of [header, ...rows])
    out(
      row
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  const total = rows.filter((r) => r[4] === 'yes').reduce((sum, r) => sum + Number(r[3]), 0);
  note(`${visible.size} of ${rows.length} tools listed in ${rt.config.mode} mode, about ${total} tokens.`);
  return 0;
}

interface KeyFlags {
  name?: string | undefined;
  mode?: string | undefined;
  toolsets?: string | undefined;
  user?: string | undefined;
}

/** Key changes join the audit trail as writes through the CLI (the key itself never does). */
async function auditKeys(rt: Runtime, tool: string, keyId: string, fields: string[]): Promise<void> {
  const principal = localPrincipal(rt.config);
  await rt.embedded.ports.audit
    .record({
      actor: { kind: 'local', label: principal.label, user: principal.userEmail },
      entryPoint: 'cli',
      tool,
      objectIds: [keyId],
      summary: fields.length ? `${tool}: ${fields.join(', ')}` : tool,
      outcome: 'ok',
    })
    .catch((err) => rt.log.error({ err }, 'key change not recorded in the audit trail'));
}

export async function runKeys(
  rt: Runtime,
  action: string | undefined,
  target: string | undefined,
  flags: KeyFlags,
): Promise<number> {
  const keys = rt.embedded.apiKeys;
  switch (action) {
    case 'create': {
      if (!flags.name) throw new UsageError('vigil keys create needs --name');
      const mode = flags.mode ?? 'read_only';
      if (mode !== 'read_only' && mode !== 'read_write')
        throw new UsageError(`--mode accepts read_only or read_write, not '${mode}'`);
      let userId: string | undefined;
      if (flags.user) {
        const user = await rt.embedded.ports.directory.findUserByEmail(flags.user);
        if (!user)
          throw new UsageError(`--user ${flags.user}: no such user in the directory (create_user first)`);
        userId = user.id;
      }
      const toolsets = flags.toolsets === undefined ? undefined : nameList(flags.toolsets);
      if (toolsets) {
        try {
          checkToolsets(toolsets);
        } catch (err) {
          if (err instanceof SelectionError) throw new UsageError(`--toolsets: ${err.message}`);
          throw err;
        }
      }
      const created = await keys.create({
        name: flags.name,
        mode,
        ...(toolsets && { toolsets }),
        ...(userId && { userId }),
      });
      await auditKeys(rt, 'keys create', created.id, [
        'name',
        'mode',
        ...(toolsets ? ['toolsets'] : []),
        ...(userId ? ['user'] : []),
      ]);
      out(created.key);
      note(
        `Created API key '${created.name}' (id ${created.id}, ${created.mode}). It is shown only this once; send it as "Authorization: Bearer <key>".`,
      );
      return 0;
    }
    case 'list': {
      const list = await keys.list();
      out(JSON.stringify(list, null, 2));
      return 0;
    }
    case 'revoke': {
      if (!target) throw new UsageError('vigil keys revoke needs a key id or name');
      const revoked = await keys.revoke(target);
      await auditKeys(rt, 'keys revoke', revoked.id, []);
      note(`Revoked API key '${revoked.name}' (id ${revoked.id}).`);
      return 0;
    }
    default:
      throw new UsageError(`vigil keys needs create, list or revoke${action ? `, not '${action}'` : ''}`);
  }
}
