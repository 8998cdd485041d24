/**
 * `get_audit_log`: the audit trail for operators. It is listed in read-only mode too (reading it
 * changes nothing), but answers only the local operator (stdio, CLI) and credentials allowed to
 * write: a read-only key or an upstream-only caller learns nothing of who changed what.
 */
import { z } from 'zod';
import { AUDIT_OUTCOMES, auditEntry } from '../core/audit.js';
import { ForbiddenError } from '../core/errors.js';
import { defineTool, READ } from './define-tool.js';
import { paging } from './paging.js';
import * as p from './params.js';
import { timeRange } from './time.js';

export const getAuditLog = defineTool({
  name: 'get_audit_log',
  toolset: 'meta',
  port: 'audit',
  resource: 'entries',
  output: auditEntry,
  annotations: READ,
  description:
    'Audit trail, newest first: each write (who, from where, tool, object ids, outcome); pings and events counted per hour.',
  narrowHint: 'Narrow with `since`/`until`, `actor`, `object_id`, `tool` or `outcome`.',
  input: z.strictObject({
    since: z.string().max(64).optional().describe('From this time (ISO 8601).'),
    until: z.string().max(64).optional().describe('Before this time (ISO 8601).'),
    actor: z.string().max(256).optional().describe('Key ID, JWT subject, label, user or actor kind.'),
    object_id: p.id('object_id').optional().describe('Entries naming this ID.'),
    tool: z.string().max(128).optional().describe('Tool name or HTTP route.'),
    outcome: z.string().max(64).pipe(z.enum(AUDIT_OUTCOMES)).optional().describe('`ok` or an error code.'),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const { principal } = ctx;
    if (principal.upstreamOnly || (principal.kind !== 'local' && principal.mode !== 'read_write'))
      throw new ForbiddenError(
        'The audit log is for operators: use a read_write API key or JWT, or the local server (stdio, `vigil call`).',
      );
    const range = timeRange(args.since, args.until);
    const filters = {
      ...range,
      actor: args.actor,
      object_id: args.object_id,
      tool: args.tool,
      outcome: args.outcome,
    };
    const paged = paging(args, filters);
    const result = await ctx.ports.audit.list({
      since: range.since,
      until: range.until,
      actor: args.actor,
      objectId: args.object_id,
      tool: args.tool,
      outcome: args.outcome,
      limit: paged.limit,
      offset: paged.offset,
    });
    return { items: result.items, page: paged.info(result) };
  },
});

export const auditTools = [getAuditLog];
