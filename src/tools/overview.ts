/**
 * `get_status_overview`: one call answering "what is wrong right now, and who is on call" — open
 * responder incidents by status and urgency, the services they hit, and who each service's
 * escalation policy pages first. Without a current user it covers the whole account; with nothing
 * open it says how incidents come to be.
 */
import { z } from 'zod';
import { type Incident, statusOverviewSchema } from '../core/incidents.js';
import { MAX_LIMIT } from '../core/pagination.js';
import { readScope, rejectContextFilters } from './current-user.js';
import { defineTool, READ, type ToolContext } from './define-tool.js';
import { hintWhenEmpty, writesNeed } from './hints.js';
import * as p from './params.js';

/** Who the policy's first level pages now: its users, and who is on call in its schedules. */
async function onCallNow(ctx: ToolContext, policyId: string | undefined) {
  if (!policyId) return [];
  const now = Date.now();
  const page = await ctx.ports.schedules.listOncalls({
    policyIds: [policyId],
    since: now,
    until: now + 1,
    limit: MAX_LIMIT,
    offset: 0,
  });
  return page.items
    .filter((o) => o.escalation_level === 1)
    .map((o) => ({
      id: o.user.id,
      summary: o.user.summary,
      escalation_level: 1,
      ...(o.schedule && { schedule: o.schedule, until: o.end }),
    }));
}

export const getStatusOverview = defineTool({
  name: 'get_status_overview',
  toolset: 'incidents',
  port: 'incidents',
  resource: 'overviews',
  output: statusOverviewSchema,
  annotations: READ,
  description:
    "What is wrong right now and who is on call: open responder incidents by status and urgency, the services they affect, and who each service pages first. By default the current user's teams.",
  input: z.strictObject({
    current_user_context: p.currentUserContext,
    service_ids: p.ids('service_id').optional(),
    team_ids: p.ids('team_id').optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    let { service_ids: serviceIds, team_ids: teamIds } = args;
    let note: string | undefined;
    if (args.current_user_context) {
      rejectContextFilters({ service_ids: serviceIds, team_ids: teamIds });
      const scope = await readScope(ctx);
      teamIds = scope.context?.team_ids;
      note = scope.note;
    }
    // With current_user_context=false and no filter, the whole account: open incidents are few.
    const scoped = args.current_user_context && teamIds?.length === 0;
    const page = scoped
      ? { items: [] as Incident[], more: false }
      : await ctx.ports.incidents.list({
          statuses: ['triggered', 'acknowledged'],
          urgencies: ['high', 'low'],
          serviceIds,
          teamIds,
          limit: MAX_LIMIT,
          offset: 0,
        });
    const open = page.items;
    const byService = new Map<string, Incident[]>();
    for (const i of open) byService.set(i.service.id, [...(byService.get(i.service.id) ?? []), i]);
    const services = await Promise.all(
      [...byService.values()].map(async (incidents) => {
        const first = incidents[0] as Incident;
        const oldest = incidents.map((i) => i.created_at).sort()[0] as string;
        return {
          id: first.service.id,
          summary: first.service.summary,
          open_incidents: incidents.length,
          highest_urgency: incidents.some((i) => i.urgency === 'high') ? ('high' as const) : ('low' as const),
          oldest_open_at: oldest,
          ...(first.escalation_policy && { escalation_policy: first.escalation_policy }),
          on_call_now: await onCallNow(ctx, first.escalation_policy?.id),
        };
      }),
    );
    services.sort((a, b) =>
      a.highest_urgency === b.highest_urgency
        ? b.open_incidents - a.open_incidents
        : a.highest_urgency === 'high'
          ? -1
          : 1,
    );
    const count = (f: (i: Incident) => boolean) => open.filter(f).length;
    return {
      items: [
        {
          generated_at: new Date().toISOString(),
          open_incidents: {
            total: open.length,
            triggered: count((i) => i.status === 'triggered'),
            acknowledged: count((i) => i.status === 'acknowledged'),
            high: count((i) => i.urgency === 'high'),
            low: count((i) => i.urgency === 'low'),
          },
          services,
        },
      ],
      description: `${open.length} open incident(s) on ${services.length} service(s)${page.more ? ` (the first ${MAX_LIMIT})` : ''}`,
      metadata: {
        ...(scoped && {
          note: `The current user belongs to no team. Add them to a team that owns services (create_team, create_service${writesNeed(ctx, true)}), or pass current_user_context=false for the whole account.`,
        }),
        ...(note && { note }),
        ...hintWhenEmpty(ctx, 'open_incidents', open, scoped),
      },
    };
  },
});
