/**
 * Playwright scripts (`pw_script`, Pingera's name): `@playwright/test` source, or a bare script
 * using `page`. Here they are prepared and compiled, never run: an `import` of @playwright/test
 * becomes a `require` that the runner answers, and a syntax error is found when the check is
 * created, with its line. The runner (a sandboxed child process) prepares the same way.
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

const IMPORT = /^([ \t]*)import\s+(type\s+)?([\s\S]*?)\s+from\s+(['"])([^'"]+)\4\s*;?/gm;
const BARE_IMPORT = /^[ \t]*import\s*(['"])([^'"]+)\1\s*;?/gm;

/** ES imports of the allowed modules as `require` calls, on the same lines; anything else is refused. */
function rewriteImports(source: string): string {
  const lineOf = (index: number) => source.slice(0, index).split('\n').length;
  const refuse = (name: string, index: number) => {
    throw new ScriptError(
      `the script imports '${name}'; a synthetic check may import only @playwright/test (page, expect and test are given).`,
      lineOf(index),
    );
  };
  const rewritten = source.replace(
    IMPORT,
    (whole, indent: string, typeOnly: string | undefined, what: string, _q, name: string, at: number) => {
      if (!(SCRIPT_MODULES as readonly string[]).includes(name)) refuse(name, at);
      const newlines = '\n'.repeat((whole.match(/\n/g) ?? []).length);
      if (typeOnly) return indent + newlines;
      const spec = what.trim();
      const named = /^\{([\s\S]*)\}$/.exec(spec)?.[1];
      const star = /^\*\s+as\s+([\w$]+)$/.exec(spec)?.[1];
      const binding = named
        ? `{ ${named
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s && !s.startsWith('type '))
            .map((s) => s.replace(/\s+as\s+/, ': '))
            .join(', ')} }`
        : (star ?? spec);
      return `${indent}const ${binding} = require('${name}');${newlines}`;
    },
  );
  return rewritten.replace(BARE_IMPORT, (whole, _q, name: string, at: number) => {
    if (!(SCRIPT_MODULES as readonly string[]).includes(name)) refuse(name, at);
    return whole.replace(/\S[\s\S]*/, '');
  });
}

type Stripper = (code: string, options: { mode: 'strip' }) => string;

/**
 * The script as the body of an async function, compiled (not run). A syntax error is a
 * ScriptError with its line; TypeScript annotations are stripped where Node can (22.13 and later).
 */
export function compileScript(source: string): Script {
  const prepared = rewriteImports(source);
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
