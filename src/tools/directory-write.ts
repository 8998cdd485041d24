/**
 * The directory toolset's write tools: users (with contact methods), teams (with members) and
 * services (with an escalation policy, teams and a generated Events API integration key).
 * Listed only in read-write mode.
 */
import { z } from 'zod';
import {
  addressProblem,
  CHANNEL_KINDS,
  type ChannelKind,
  CONTACT_METHOD_TYPES,
  describeKinds,
} from '../core/channels.js';
import { SERVICE_URGENCIES, USER_ROLES } from '../core/directory.js';
import { ValidationError } from '../core/errors.js';
import { CREATE, DELETE, defineTool, UPDATE } from './define-tool.js';
import { serviceItem, teamItem, userItem } from './output.js';
import * as p from './params.js';

const name = (what: string) =>
  z.string().trim().min(1, `${what} cannot be empty`).max(200).describe(`The ${what}.`);
const description = z.string().max(2000).describe('Free text describing it.');
const email = z.email({ error: 'must be an email address' }).max(254).describe('Email address; unique.');
const timeZone = z
  .string()
  .max(64)
  .refine((tz) => isTimeZone(tz), {
    error: (iss) => `'${String(iss.input)}' is not an IANA time zone (e.g. Europe/Berlin)`,
  })
  .describe('IANA time zone, e.g. Europe/Berlin (default UTC).');
const contactMethods = z
  .array(
    z.strictObject({
      type: z.enum(CONTACT_METHOD_TYPES).describe(describeKinds(CONTACT_METHOD_TYPES)),
      address: z
        .string()
        .trim()
        .min(1)
        .max(2048)
        .describe('Per type: email, E.164 number, URL, key, room or chat id.'),
      label: z.string().max(100).optional().describe('A label such as "Work".'),
      token: z.string().min(1).max(500).optional().describe('ntfy, gotify: access token.'),
    }),
  )
  .max(20)
  .describe('How to reach the user; replaces the existing list on update.');

const urgencyRule = z
  .strictObject({
    type: z.literal('constant').describe('constant.'),
    urgency: z.enum(SERVICE_URGENCIES).describe('high, low, or severity_based (from each alert).'),
  })
  .describe('The urgency of the incidents it opens (default: severity_based for alerts, high otherwise).');

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function checkContactMethods(
  methods:
    | readonly { type: (typeof CONTACT_METHOD_TYPES)[number]; address: string; token?: string | undefined }[]
    | undefined,
): void {
  methods?.forEach((m, i) => {
    if (m.token !== undefined && !(CHANNEL_KINDS[m.type] as ChannelKind).token) {
      throw new ValidationError(`contact_methods[${i}].token: a ${m.type} method takes no token.`, {
        parameter: `contact_methods[${i}].token`,
      });
    }
    const problem = addressProblem(m.type, m.address, m.token);
    if (problem) {
      throw new ValidationError(
        `contact_methods[${i}].address '${m.address}' is not a valid ${m.type} address: it must be ${problem}.`,
        { parameter: `contact_methods[${i}].address` },
      );
    }
  });
}

export const createUser = defineTool({
  name: 'create_user',
  toolset: 'directory',
  port: 'directory',
  resource: 'users',
  output: userItem,
  annotations: CREATE,
  description: 'Create a user with a name, a unique email, a time zone and contact methods.',
  input: z.strictObject({
    name: name('user name'),
    email,
    time_zone: timeZone.optional(),
    description: description.optional(),
    role: z.enum(USER_ROLES).optional().describe('admin, user (default) or observer.'),
    contact_methods: contactMethods.optional(),
  }),
  async handler(args, ctx) {
    checkContactMethods(args.contact_methods);
    return { items: [await ctx.ports.directory.createUser(args)] };
  },
});

export const updateUser = defineTool({
  name: 'update_user',
  toolset: 'directory',
  port: 'directory',
  resource: 'users',
  output: userItem,
  annotations: UPDATE,
  description:
    'Change a user: name, email, time zone, description, role or contact methods (the list is replaced).',
  input: z.strictObject({
    user_id: p.id('user_id'),
    name: name('user name').optional(),
    email: email.optional(),
    time_zone: timeZone.optional(),
    description: description.optional(),
    role: z.enum(USER_ROLES).optional().describe('admin, user or observer.'),
    contact_methods: contactMethods.optional(),
  }),
  async handler({ user_id, ...patch }, ctx) {
    p.requireChange(patch, 'user_id');
    checkContactMethods(patch.contact_methods);
    return { items: [await ctx.ports.directory.updateUser(user_id, patch)] };
  },
});

export const deleteUser = defineTool({
  name: 'delete_user',
  toolset: 'directory',
  port: 'directory',
  resource: 'users',
  output: userItem,
  annotations: DELETE,
  description: 'Delete a user; they leave every team. Returns the deleted user.',
  input: z.strictObject({ user_id: p.id('user_id') }),
  async handler(args, ctx) {
    const user = await ctx.ports.directory.getUser(args.user_id);
    await ctx.ports.directory.deleteUser(args.user_id);
    return { items: user ? [user] : [], description: `Deleted user ${args.user_id}` };
  },
});

export const createTeam = defineTool({
  name: 'create_team',
  toolset: 'directory',
  port: 'directory',
  resource: 'teams',
  output: teamItem,
  annotations: CREATE,
  description: 'Create a team with a unique name and its members.',
  input: z.strictObject({
    name: name('team name'),
    description: description.optional(),
    member_ids: p.ids('user_id').optional().describe('IDs of the users on the team.'),
  }),
  async handler(args, ctx) {
    return { items: [await ctx.ports.directory.createTeam(args)] };
  },
});

export const updateTeam = defineTool({
  name: 'update_team',
  toolset: 'directory',
  port: 'directory',
  resource: 'teams',
  output: teamItem,
  annotations: UPDATE,
  description: 'Change a team: name, description or members (member_ids replaces the list).',
  input: z.strictObject({
    team_id: p.id('team_id'),
    name: name('team name').optional(),
    description: description.optional(),
    member_ids: p.ids('user_id').optional().describe('IDs of the users on the team; replaces the list.'),
  }),
  async handler({ team_id, ...patch }, ctx) {
    p.requireChange(patch, 'team_id');
    return { items: [await ctx.ports.directory.updateTeam(team_id, patch)] };
  },
});

export const deleteTeam = defineTool({
  name: 'delete_team',
  toolset: 'directory',
  port: 'directory',
  resource: 'teams',
  output: teamItem,
  annotations: DELETE,
  description: 'Delete a team; its members and services stay. Returns the deleted team.',
  input: z.strictObject({ team_id: p.id('team_id') }),
  async handler(args, ctx) {
    const team = await ctx.ports.directory.getTeam(args.team_id);
    await ctx.ports.directory.deleteTeam(args.team_id);
    return { items: team ? [team] : [], description: `Deleted team ${args.team_id}` };
  },
});

export const createService = defineTool({
  name: 'create_service',
  toolset: 'directory',
  port: 'directory',
  resource: 'services',
  output: serviceItem,
  annotations: CREATE,
  description:
    'Create a service, optionally with an escalation policy and teams. The answer carries its new 32-character Events API `integration_key`.',
  input: z.strictObject({
    name: name('service name'),
    description: description.optional(),
    escalation_policy_id: p.id('escalation_policy_id').optional(),
    team_ids: p.ids('team_id').optional().describe('IDs of the teams that own the service.'),
    incident_urgency_rule: urgencyRule.optional(),
  }),
  async handler(args, ctx) {
    return { items: [await ctx.ports.directory.createService(args)] };
  },
});

export const updateService = defineTool({
  name: 'update_service',
  toolset: 'directory',
  port: 'directory',
  resource: 'services',
  output: serviceItem,
  annotations: UPDATE,
  description:
    'Change a service: name, description, status, escalation policy (null removes it), teams (replaces the list), incident urgency rule, or a new integration key.',
  input: z.strictObject({
    service_id: p.id('service_id'),
    name: name('service name').optional(),
    description: description.optional(),
    status: z.enum(['active', 'disabled']).optional().describe('active or disabled.'),
    escalation_policy_id: p
      .id('escalation_policy_id')
      .nullable()
      .optional()
      .describe('The escalation policy ID; null removes it.'),
    team_ids: p.ids('team_id').optional().describe('IDs of the owning teams; replaces the list.'),
    incident_urgency_rule: urgencyRule
      .nullable()
      .optional()
      .describe('The urgency of the incidents it opens; null: as each trigger says.'),
    regenerate_integration_key: z
      .boolean()
      .optional()
      .describe('Issue a new integration key; the old one stops working.'),
  }),
  async handler({ service_id, ...patch }, ctx) {
    p.requireChange(patch, 'service_id');
    return { items: [await ctx.ports.directory.updateService(service_id, patch)] };
  },
});

export const deleteService = defineTool({
  name: 'delete_service',
  toolset: 'directory',
  port: 'directory',
  resource: 'services',
  output: serviceItem,
  annotations: DELETE,
  description: 'Delete a service; its integration key stops working. Returns the deleted service.',
  input: z.strictObject({ service_id: p.id('service_id') }),
  async handler(args, ctx) {
    const service = await ctx.ports.directory.getService(args.service_id);
    await ctx.ports.directory.deleteService(args.service_id);
    return { items: service ? [service] : [], description: `Deleted service ${args.service_id}` };
  },
});

export const directoryWriteTools = [
  createUser,
  updateUser,
  deleteUser,
  createTeam,
  updateTeam,
  deleteTeam,
  createService,
  updateService,
  deleteService,
];
