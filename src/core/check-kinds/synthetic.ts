/** `synthetic` checks: a Playwright script run in Chromium; a script that does not compile is refused here. */
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { compileScript, ScriptError } from '../pw-script.js';
import { defineKind, httpUrl, pingeraCommon, pwScript } from './shared.js';

/** Throws naming `parameters.pw_script` (and its line) when the script does not compile. */
export function checkScript(script: string, prefix: string): void {
  try {
    compileScript(script);
  } catch (err) {
    if (!(err instanceof ScriptError)) throw err;
    throw new ValidationError(`Invalid \`${prefix}parameters.pw_script\`: ${err.message}`, {
      parameter: `${prefix}parameters.pw_script`,
      ...(err.line && { line: err.line }),
    });
  }
}

export const synthetic = defineKind({
  parameters: z.strictObject({
    ...pingeraCommon,
    pw_script: pwScript,
    /** A small JPEG of the page when the script fails, in the result (off by default: results stay small). */
    screenshot_on_failure: z.boolean().optional(),
  }),
  target(t, _need, prefix) {
    if (t.url) httpUrl(t.url, `${prefix}url`);
  },
  refine(p, prefix) {
    checkScript(p.pw_script, prefix);
  },
});
