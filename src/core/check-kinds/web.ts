/** `web` and `api` checks: one HTTP request, with assertions on its answer. */
import { z } from 'zod';
import { defineKind, httpAssertions, httpRequest, httpUrl, pingeraCommon } from './shared.js';

export const web = defineKind({
  parameters: z.strictObject({
    ...pingeraCommon,
    http_request: httpRequest.optional(),
    search_text: z.string().min(1).max(1000).optional(),
    assertions: httpAssertions.optional(),
    follow_redirects: z.boolean().optional(),
    verify_tls: z.boolean().optional(),
  }),
  target(t, need, prefix) {
    need('url', 'the address to request');
    httpUrl(t.url as string, `${prefix}url`);
  },
});
