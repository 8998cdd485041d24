/**
 * Check groups, with the Pingera seed's read tools and the writes Pingera's API has.
 */
import { z } from 'zod';
import { NotFoundError } from '../core/errors.js';
import { CREATE, DELETE, defineTool, READ, UPDATE } from './define-tool.js';
import { checkGroupItem, checkItem } from './output.js';
import { page, pageSize, paging } from './paging.js';
import * as p from './params.js';

const groupId = p.id('group_id').describe('The check group ID.');
const group = {
  name: z.string().trim().min(1, 'name cannot be empty').max(100).describe('A name for the group.'),
  description: z.string().max(500).nullable().describe('What the group holds.'),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'color is a hex color such as #3b82f6')
    .nullable()
    .describe('A hex color, e.g. #3b82f6.'),
  position: z.number().int().min(0).max(100_000).describe('Display order.'),
  active: z.boolean().describe('false hides the group.'),
};
const paged = {
  page: page.optional(),
  page_size: pageSize.optional(),
  limit: p.limit.optional(),
  cursor: p.cursor.optional(),
  include: p.include.optional(),
};

export const listCheckGroups = defineTool({
  name: 'list_check_groups',
  toolset: 'checks',
  port: 'checks',
  resource: 'groups',
  output: checkGroupItem,
  annotations: READ,
  description: 'List check groups with how many checks each holds.',
  input: z.strictObject(paged),
  async handler(args, ctx) {
    const pages = paging(args, {});
    const result = await ctx.ports.checks.listGroups(pages.limit, pages.offset);
    return { items: result.items, page: pages.info(result) };
  },
});

export const getCheckGroupDetails = defineTool({
  name: 'get_check_group_details',
  toolset: 'checks',
  port: 'checks',
  resource: 'groups',
  output: checkGroupItem,
  annotations: READ,
  description: 'One check group, with how many checks it holds.',
  input: z.strictObject({ group_id: groupId, include: p.include.optional() }),
  async handler(args, ctx) {
    const found = await ctx.ports.checks.getGroup(args.group_id);
    if (!found) throw new NotFoundError('check group', args.group_id, 'group_id');
    return { items: [found] };
  },
});

export const getChecksInGroup = defineTool({
  name: 'get_checks_in_group',
  toolset: 'checks',
  port: 'checks',
  resource: 'checks',
  output: checkItem,
  annotations: READ,
  description: 'The checks of a group, in order, with their status.',
  input: z.strictObject({ group_id: groupId, ...paged }),
  async handler(args, ctx) {
    if (!(await ctx.ports.checks.getGroup(args.group_id))) {
      throw new NotFoundError('check group', args.group_id, 'group_id');
    }
    const pages = paging(args, { group_id: args.group_id });
    const result = await ctx.ports.checks.listChecks({
      groupId: args.group_id,
      limit: pages.limit,
      offset: pages.offset,
    });
    return { items: result.items, page: pages.info(result) };
  },
});

export const createCheckGroup = defineTool({
  name: 'create_check_group',
  toolset: 'checks',
  port: 'checks',
  resource: 'groups',
  output: checkGroupItem,
  annotations: CREATE,
  description: 'Create a check group (checks join it with group_id).',
  input: z.strictObject({
    name: group.name,
    description: group.description.optional(),
    color: group.color.optional(),
    position: group.position.optional(),
    active: group.active.optional(),
  }),
  async handler(args, ctx) {
    return { items: [await ctx.ports.checks.createGroup(args)] };
  },
});

export const updateCheckGroup = defineTool({
  name: 'update_check_group',
  toolset: 'checks',
  port: 'checks',
  resource: 'groups',
  output: checkGroupItem,
  annotations: UPDATE,
  description: 'Change a check group.',
  input: z.strictObject({
    group_id: groupId,
    name: group.name.optional(),
    description: group.description.optional(),
    color: group.color.optional(),
    position: group.position.optional(),
    active: group.active.optional(),
  }),
  async handler({ group_id, ...patch }, ctx) {
    p.requireChange(patch, 'group_id');
    return { items: [await ctx.ports.checks.updateGroup(group_id, patch)] };
  },
});

export const deleteCheckGroup = defineTool({
  name: 'delete_check_group',
  toolset: 'checks',
  port: 'checks',
  resource: 'groups',
  output: checkGroupItem,
  annotations: DELETE,
  description: 'Delete a check group; its checks stay, ungrouped. Returns the deleted group.',
  input: z.strictObject({ group_id: groupId }),
  async handler(args, ctx) {
    const found = await ctx.ports.checks.getGroup(args.group_id);
    await ctx.ports.checks.deleteGroup(args.group_id);
    return { items: found ? [found] : [], description: `Deleted check group ${args.group_id}` };
  },
});

export const checkGroupTools = [
  listCheckGroups,
  getCheckGroupDetails,
  getChecksInGroup,
  createCheckGroup,
  updateCheckGroup,
  deleteCheckGroup,
];
