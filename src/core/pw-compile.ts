/**
 * Compiling a prepared Playwright script (its imports already `require` calls, see pw-script.ts)
 * into the body of an async function, not running it. Kept apart from the preparing, which needs
 * a lexer, so the sandboxed script runner loads this file alone.
 */
import * as nodeModule from 'node:module';
import { Script } from 'node:vm';

export const SCRIPT_FILENAME = 'pw_script.js';
/** The modules a script may import; the runner answers them with its own test, expect and devices. */
export const SCRIPT_MODULES = ['@playwright/test', 'playwright/test'] as const;

export class ScriptError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'ScriptError';
  }
}

type Stripper = (code: string, options: { mode: 'strip' }) => string;

/**
 * The prepared script as the body of an async function, compiled (not run). A syntax error is a
 * ScriptError with its line; TypeScript annotations are stripped where Node can (22.13 and later).
 */
export function compilePrepared(prepared: string): Script {
  const compile = (code: string) =>
    new Script(`(async () => {\n${code}\n})()`, { filename: SCRIPT_FILENAME, lineOffset: -1 });
  try {
    return compile(prepared);
  } catch (err) {
    const strip = (nodeModule as unknown as { stripTypeScriptTypes?: Stripper }).stripTypeScriptTypes;
    if (strip) {
      try {
        return compile(strip(prepared, { mode: 'strip' }));
      } catch {
        // Report the error of the source as written.
      }
    }
    const line = Number(/pw_script\.js:(\d+)/.exec((err as Error).stack ?? '')?.[1]) || undefined;
    const message = (err as Error).message;
    const hint =
      !strip && /Unexpected (token ':'|identifier)/.test(message)
        ? ' (TypeScript annotations need Node 22.13 or later; write JavaScript)'
        : '';
    throw new ScriptError(`syntax error${line ? ` at line ${line}` : ''}: ${message}${hint}`, line);
  }
}
