/** `tcp` checks: a connection to a host and port. */
import { z } from 'zod';
import { defineKind, pingeraCommon } from './shared.js';

export const tcp = defineKind({
  parameters: z.strictObject({ ...pingeraCommon }),
  target(_t, need) {
    need('host', 'the host to connect to');
    need('port', 'the port to connect to');
  },
});
