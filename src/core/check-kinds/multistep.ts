/**
 * `multistep` checks: HTTP requests in order, with values extracted from one used by the next —
 * or, as Pingera's are, a Playwright script (its `request` fixture), run as a synthetic check.
 */
import { z } from 'zod';
import {
  defineKind,
  httpAssertions,
  httpRequest,
  httpUrl,
  jsonPath,
  pingeraCommon,
  pwScript,
} from './shared.js';
import { checkScript } from './synthetic.js';

export const multistep = defineKind({
  parameters: z
    .strictObject({
      ...pingeraCommon,
      steps: z
        .array(
          z.strictObject({
            name: z.string().min(1).max(100),
            request: httpRequest.extend({ url: z.string().min(1).max(2048) }),
            extract: z
              .record(
                z.string().regex(/^[A-Za-z_]\w*$/, 'variable names are letters, digits and _'),
                z.union([jsonPath, z.strictObject({ header: z.string().min(1).max(256) })]),
              )
              .optional(),
            assertions: httpAssertions.optional(),
          }),
        )
        .min(1, 'a multistep check needs at least one step')
        .max(20)
        .optional(),
      pw_script: pwScript.optional(),
      screenshot_on_failure: z.boolean().optional(),
    })
    .refine((p) => (p.steps === undefined) !== (p.pw_script === undefined), {
      error:
        'a multistep check takes `steps` (HTTP requests) or `pw_script` (a Playwright script): one of them',
      path: ['steps'],
    }),
  target(t, _need, prefix) {
    if (t.url) httpUrl(t.url, `${prefix}url`);
  },
  refine(p, prefix) {
    for (const [i, s] of (p.steps ?? []).entries())
      httpUrl(s.request.url, `${prefix}parameters.steps[${i}].request.url`);
    if (p.pw_script !== undefined) checkScript(p.pw_script, prefix);
  },
});
