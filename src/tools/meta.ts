/**
 * The meta toolset: whether the providers behind this server answer.
 */
import { z } from 'zod';
import { defineTool, READ } from './define-tool.js';

export const testConnection = defineTool({
  name: 'test_connection',
  toolset: 'meta',
  port: 'meta',
  resource: 'connections',
  output: z.object({ provider: z.string(), connected: z.boolean(), details: z.object({}).loose() }),
  annotations: READ,
  description: 'Check that the providers behind this server answer, and report what they run on.',
  input: z.strictObject({}),
  async handler(_args, ctx) {
    return { items: await ctx.ports.meta.testConnection() };
  },
});

export const metaTools = [testConnection];
