/** `icmp` checks: the system's ping, with packet loss and round trips. */
import { z } from 'zod';
import { defineKind, pingeraCommon } from './shared.js';

export const icmp = defineKind({
  parameters: z.strictObject({
    ...pingeraCommon,
    probe_count: z.number().int().min(1).max(100).optional(),
    ip_version: z.enum(['v4', 'v6', 'auto']).optional(),
    probe_interval: z.number().min(0.2).max(10).optional(),
    probe_timeout: z.number().min(0.1).max(30).optional(),
    assertions: z.strictObject({ max_packet_loss: z.number().min(0).max(100).optional() }).optional(),
  }),
  target(_t, need) {
    need('host', 'the host to ping');
  },
});
