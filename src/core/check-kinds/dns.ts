/** `dns` checks: a name resolved, through chosen servers, against expected answers. */
import { z } from 'zod';
import { defineKind, pingeraCommon } from './shared.js';

export const dns = defineKind({
  parameters: z.strictObject({
    ...pingeraCommon,
    record_type: z.enum(['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT', 'SOA', 'SRV', 'PTR', 'CAA']).optional(),
    dns_servers: z.array(z.string().max(64)).max(5).optional(),
    expected_answers: z.array(z.string().max(1000)).max(50).optional(),
    validation_mode: z.enum(['contains_all', 'exact']).optional(),
  }),
  target(_t, need) {
    need('host', 'the name to resolve');
  },
});
