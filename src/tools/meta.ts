/**
 * The meta toolset: whether the providers behind this server answer.
 */
import { z } from 'zod';
import { VigilError } from '../core/errors.js';
import { connectionReportSchema } from '../core/ports.js';
import { defineTool, READ } from './define-tool.js';

export const testConnection = defineTool({
  name: 'test_connection',
  toolset: 'meta',
  port: 'meta',
  resource: 'connections',
  output: connectionReportSchema,
  annotations: READ,
  description: 'Check that the providers behind this server answer, and report what they run on.',
  input: z.strictObject({}),
  async handler(_args, ctx) {
    return { items: await ctx.ports.meta.testConnection() };
  },
});

export const testPingeraConnection = defineTool({
  name: 'test_pingera_connection',
  toolset: 'meta',
  port: 'meta',
  resource: 'connections',
  output: connectionReportSchema,
  annotations: READ,
  description: 'Check that the Pingera credential works, and which base URL is used.',
  input: z.strictObject({}),
  async handler(_args, ctx) {
    const reports = (await ctx.ports.meta.testConnection('pingera')).filter((r) => r.provider === 'pingera');
    if (reports.length === 0) {
      throw new VigilError(
        'NOT_SUPPORTED',
        'The pingera provider is not active here: set PINGERA_API_KEY or PINGERA_JWT_TOKEN, or name it in VIGIL_PROVIDERS.',
        { provider: 'pingera' },
      );
    }
    return { items: reports };
  },
});

export const metaTools = [testConnection, testPingeraConnection];
