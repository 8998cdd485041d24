/** `ssl` checks: a TLS server's certificate, its chain and the days to its expiry. */
import { z } from 'zod';
import { defineKind, httpUrl, pingeraCommon } from './shared.js';

export const ssl = defineKind({
  parameters: z.strictObject({
    ...pingeraCommon,
    /** Degraded when the certificate expires within this many days. */
    expiry_threshold_days: z.number().int().min(1).max(365).optional(),
    /** false accepts a chain no public CA signs (self-signed, a private CA); still reported. */
    verify_chain: z.boolean().optional(),
  }),
  target(t, need, prefix) {
    if (!t.host && !t.url) need('host', 'the TLS server, or give url');
    if (t.url) httpUrl(t.url, `${prefix}url`);
  },
});
