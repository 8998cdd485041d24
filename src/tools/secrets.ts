/**
 * Secrets for checks, with the newer Pingera seed's names and parameters. Values are stored
 * encrypted, never listed, and shown by get_secret_details only to a caller that may write.
 */
import { z } from 'zod';
import { NotFoundError } from '../core/errors.js';
import { checkId } from './checks.js';
import { CREATE, DELETE, defineTool, READ, UPDATE } from './define-tool.js';
import { checkSecretItem, secretItem } from './output.js';
import { page, pageSize, paging } from './paging.js';
import * as p from './params.js';

const secretId = p.id('secret_id').describe('The secret ID.');
const value = z
  .string()
  .min(1, 'value cannot be empty')
  .max(10_000)
  .describe('The secret value; stored encrypted.');
const envName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,63}$/,
    'variable names are letters, digits and _, not starting with a digit',
  )
  .describe('The name the check uses it by, as {{NAME}}.');

export const listSecrets = defineTool({
  name: 'list_secrets',
  toolset: 'checks',
  port: 'secrets',
  resource: 'secrets',
  output: secretItem,
  annotations: READ,
  description: 'List secrets by name (never their values).',
  input: z.strictObject({
    page: page.optional(),
    page_size: pageSize.optional(),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const pages = paging(args, {});
    const result = await ctx.ports.secrets.listSecrets(pages.limit, pages.offset);
    return { items: result.items, page: pages.info(result) };
  },
});

export const getSecretDetails = defineTool({
  name: 'get_secret_details',
  toolset: 'checks',
  port: 'secrets',
  resource: 'secrets',
  output: secretItem,
  annotations: READ,
  description: 'A secret; its value is included only for a caller allowed to write.',
  input: z.strictObject({ secret_id: secretId, include: p.include.optional() }),
  async handler(args, ctx) {
    const writer = ctx.principal.mode === 'read_write';
    const secret = await ctx.ports.secrets.getSecret(args.secret_id, writer);
    if (!secret) throw new NotFoundError('secret', args.secret_id, 'secret_id');
    return {
      items: [secret],
      ...(!writer && { metadata: { note: 'The value is shown only to a read_write caller.' } }),
    };
  },
});

export const createSecret = defineTool({
  name: 'create_secret',
  toolset: 'checks',
  port: 'secrets',
  resource: 'secrets',
  output: secretItem,
  annotations: CREATE,
  description: 'Store a secret (a token, a password) for checks to use as {{NAME}}.',
  input: z.strictObject({
    name: z.string().trim().min(1, 'name cannot be empty').max(100).describe('A unique name.'),
    value,
  }),
  async handler(args, ctx) {
    return { items: [await ctx.ports.secrets.createSecret(args.name, args.value)] };
  },
});

export const updateSecret = defineTool({
  name: 'update_secret',
  toolset: 'checks',
  port: 'secrets',
  resource: 'secrets',
  output: secretItem,
  annotations: UPDATE,
  description: "Replace a secret's value; checks using it get the new one from their next run.",
  input: z.strictObject({ secret_id: secretId, value }),
  async handler(args, ctx) {
    return { items: [await ctx.ports.secrets.updateSecret(args.secret_id, args.value)] };
  },
});

export const deleteSecret = defineTool({
  name: 'delete_secret',
  toolset: 'checks',
  port: 'secrets',
  resource: 'secrets',
  output: secretItem,
  annotations: DELETE,
  description: 'Delete a secret; checks using it lose the variable.',
  input: z.strictObject({ secret_id: secretId }),
  async handler(args, ctx) {
    await ctx.ports.secrets.deleteSecret(args.secret_id);
    return { items: [], description: `Deleted secret ${args.secret_id}` };
  },
});

export const getCheckSecrets = defineTool({
  name: 'get_check_secrets',
  toolset: 'checks',
  port: 'secrets',
  resource: 'check_secrets',
  output: checkSecretItem,
  annotations: READ,
  description: 'The secrets a check uses, with the variable name of each.',
  input: z.strictObject({ check_id: checkId, include: p.include.optional() }),
  async handler(args, ctx) {
    return { items: await ctx.ports.secrets.checkSecrets(args.check_id) };
  },
});

export const addSecretToCheck = defineTool({
  name: 'add_secret_to_check',
  toolset: 'checks',
  port: 'secrets',
  resource: 'check_secrets',
  output: checkSecretItem,
  annotations: CREATE,
  description: 'Let a check use a secret as {{env_var_name}} in its URL, headers, body or steps.',
  input: z.strictObject({ check_id: checkId, secret_id: secretId, env_var_name: envName }),
  async handler(args, ctx) {
    return {
      items: await ctx.ports.secrets.addCheckSecret(args.check_id, args.secret_id, args.env_var_name),
    };
  },
});

export const updateCheckSecrets = defineTool({
  name: 'update_check_secrets',
  toolset: 'checks',
  port: 'secrets',
  resource: 'check_secrets',
  output: checkSecretItem,
  annotations: UPDATE,
  description: 'Replace all the secrets a check uses.',
  input: z.strictObject({
    check_id: checkId,
    secrets: z
      .array(z.strictObject({ secret_id: secretId, env_variable: envName }))
      .max(50)
      .describe('Each secret and its variable name.'),
  }),
  async handler(args, ctx) {
    return { items: await ctx.ports.secrets.setCheckSecrets(args.check_id, args.secrets) };
  },
});

export const removeSecretFromCheck = defineTool({
  name: 'remove_secret_from_check',
  toolset: 'checks',
  port: 'secrets',
  resource: 'check_secrets',
  output: checkSecretItem,
  annotations: DELETE,
  description: 'Stop a check using a secret.',
  input: z.strictObject({ check_id: checkId, secret_id: secretId }),
  async handler(args, ctx) {
    await ctx.ports.secrets.removeCheckSecret(args.check_id, args.secret_id);
    return { items: await ctx.ports.secrets.checkSecrets(args.check_id) };
  },
});

export const secretTools = [
  listSecrets,
  getSecretDetails,
  createSecret,
  updateSecret,
  deleteSecret,
  getCheckSecrets,
  addSecretToCheck,
  updateCheckSecrets,
  removeSecretFromCheck,
];
