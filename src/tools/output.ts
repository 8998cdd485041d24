/**
 * Output schemas: the envelope every tool returns, around a per-resource item schema. Each item
 * schema is its resource's one definition, in core/ (its type derives from it); this module only
 * names them for the tools (`…Item`) and wraps them in the envelope.
 * Items are partial because `include` may select any subset of fields, and answers leave out
 * empty (null, '') fields unless `include` names them. A duration or size says its unit: in the
 * name for Vigil's own fields (`grace_seconds`), in `.describe()` where a seed or upstream API
 * fixed the name (`response_time`, `interval`).
 */
import { z } from 'zod';

export {
  alertChannelSchema as alertChannelItem,
  alertRuleSchema as alertRuleItem,
  alertSchema as alertItem,
  alertStatisticsSchema as alertStatisticsItem,
} from '../core/alerts.js';
export {
  checkGroupSchema as checkGroupItem,
  checkJobSchema as checkJobItem,
  checkResultSchema as checkResultItem,
  checkSchema as checkItem,
  checkStatisticsSchema as checkStatisticsItem,
  statusPeriodSchema as statusPeriodItem,
} from '../core/checks.js';
export {
  serviceSchema as serviceItem,
  teamSchema as teamItem,
  userContextSchema as userContextItem,
  userSchema as userItem,
} from '../core/directory.js';
export { escalationPolicySchema as escalationPolicyItem } from '../core/escalation.js';
export {
  heartbeatPingSchema as heartbeatPingItem,
  heartbeatSchema as heartbeatItem,
} from '../core/heartbeats.js';
export {
  incidentItemSchema as incidentItem,
  incidentNoteSchema as noteItem,
  logEntrySchema as logEntryItem,
} from '../core/incidents.js';
export {
  oncallSchema as oncallItem,
  scheduleOverrideSchema as overrideItem,
  scheduleSchema as scheduleItem,
} from '../core/schedules.js';
export { checkSecretSchema as checkSecretItem, secretSchema as secretItem } from '../core/secrets.js';
export {
  componentSchema as componentItem,
  incidentUpdateSchema as incidentUpdateItem,
  statusIncidentSchema as statusIncidentItem,
  statusPageSchema as statusPageItem,
} from '../core/status-pages.js';

export function envelopeSchema(resource: string, item: z.ZodObject) {
  return z.object({
    metadata: z.object({ count: z.number().int(), description: z.string() }).loose(),
    next_cursor: z.string().optional(),
    [resource]: z.array(item.partial().loose()),
  });
}

export const fieldsOf = (item: z.ZodObject): readonly string[] => Object.keys(item.shape);
