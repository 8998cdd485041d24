/**
 * Playwright scripts (`pw_script`, Pingera's name): `@playwright/test` source, or a bare script
 * using `page`. Here they are prepared and compiled, never run: an `import` of @playwright/test
 * becomes a `require` that the runner answers, found by a real module lexer (es-module-lexer), so
 * an `import` inside a string, a comment or a template is left alone; an import of anything else
 * is refused with its line, as is a syntax error, when the check is created. The runner (a
 * sandboxed child process) is given the prepared script and only compiles it (pw-compile.ts).
 */
import type { Script } from 'node:vm';
// The asm.js build: it parses at once (no WebAssembly to instantiate first), so this stays synchronous.
import { parse } from 'es-module-lexer/js';
import { compilePrepared, SCRIPT_MODULES, ScriptError } from './pw-compile.js';

export { SCRIPT_FILENAME, SCRIPT_MODULES, ScriptError } from './pw-compile.js';

/** The script with its imports of the allowed modules as `require` calls, on the same lines. */
export function prepareScript(source: string): string {
  const lineOf = (index: number) => source.slice(0, index).split('\n').length;
  let imports: ReturnType<typeof parse>[0];
  try {
    [imports] = parse(source);
  } catch (err) {
    // The lexer says only that it cannot read the script; V8 says where and why. Lines that
    // start an import are blanked first, or V8 would stop at the first import instead.
    compilePrepared(source.replace(/^[ \t]*import\b.*$/gm, ''));
    throw new ScriptError(`syntax error: ${(err as Error).message}`);
  }
  let out = '';
  let copied = 0;
  for (const i of imports) {
    if (i.type === 'import-meta') continue;
    if (!i.specifier || !(SCRIPT_MODULES as readonly string[]).includes(i.specifier)) {
      const name = i.specifier ?? source.slice(i.start, i.end);
      throw new ScriptError(
        `the script imports '${name}'; a synthetic check may import only @playwright/test (page, expect and test are given).`,
        lineOf(i.importStart),
      );
    }
    // A dynamic import of @playwright/test is left to the runner, which answers it.
    if (i.type === 'dynamic') continue;
    const statement = source.slice(i.importStart, i.importEnd);
    const newlines = '\n'.repeat((statement.match(/\n/g) ?? []).length);
    out += source.slice(copied, i.importStart) + requireOf(statement, i.specifier, i.typeOnly) + newlines;
    copied = i.importEnd;
  }
  return out + source.slice(copied);
}

/**
 * `import <clause> from 'm'` as `const <binding> = require('m')`: named imports (`a as b` becomes
 * `a: b`, type-only names dropped), `* as x`, a default name; a bare `import 'm'` and a type-only
 * import leave nothing.
 */
function requireOf(statement: string, name: string, typeOnly: boolean): string {
  const clause = /^import\s+([\s\S]*?)\s+from\s*['"]/.exec(statement)?.[1]?.trim();
  if (typeOnly || !clause) return '';
  const named = /\{([\s\S]*)\}/.exec(clause)?.[1];
  const star = /^\*\s+as\s+([\w$]+)$/.exec(clause)?.[1];
  const byDefault = /^([\w$]+)\s*(?:,|$)/.exec(clause)?.[1];
  const bindings: string[] = [];
  if (named !== undefined) {
    const names = named
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s && !s.startsWith('type '))
      .map((s) => s.replace(/\s+as\s+/, ': '));
    bindings.push(`const { ${names.join(', ')} } = require('${name}');`);
  }
  if (star) bindings.push(`const ${star} = require('${name}');`);
  if (byDefault) bindings.push(`const ${byDefault} = require('${name}');`);
  return bindings.join(' ');
}

/** The script prepared and compiled (not run): how a check's script is checked when it is written. */
export function compileScript(source: string): Script {
  return compilePrepared(prepareScript(source));
}
