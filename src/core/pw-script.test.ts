/**
 * Playwright scripts are compiled, not run, when a check is made: @playwright/test imports
 * become requires on the same lines, other imports and syntax errors are refused with the line.
 */
import { describe, expect, it } from 'vitest';
import { compileScript, prepareScript, ScriptError } from './pw-script.js';

const fail = (source: string) => {
  try {
    compileScript(source);
  } catch (err) {
    return err as ScriptError;
  }
  throw new Error('compiled');
};

describe('compileScript', () => {
  it('compiles @playwright/test scripts, ES or CommonJS, and bare scripts with top-level await', () => {
    for (const source of [
      "import { test, expect } from '@playwright/test';\ntest('t', async ({ page }) => { await page.goto('/'); });",
      "import {\n  test,\n  expect as check,\n} from 'playwright/test';\ntest('t', async () => {});",
      "const { test } = require('@playwright/test');\ntest('t', async () => {});",
      "await page.goto('/');\nawait expect(page).toHaveTitle(/x/);",
    ]) {
      expect(() => compileScript(source), source).not.toThrow();
    }
  });

  it('refuses other imports and syntax errors with their line', () => {
    const imported = fail("await page.goto('/');\nimport fs from 'node:fs';");
    expect(imported).toBeInstanceOf(ScriptError);
    expect(imported).toMatchObject({ line: 2 });
    expect(imported.message).toContain("imports 'node:fs'");
    const broken = fail(
      "import { test } from '@playwright/test';\n\ntest('t', async () => {\n  await page.click('#x';\n});",
    );
    expect(broken).toMatchObject({ line: 4 });
    expect(broken.message).toMatch(/^syntax error at line 4: /);
  });

  it('leaves import-like text in strings, comments and templates alone, and keeps every line', () => {
    const source = [
      "import def, { test, type Page, expect as check } from '@playwright/test';",
      "import type { Locator } from 'playwright/test';",
      'const note = `',
      "import fs from 'node:fs'`;",
      "// import os from 'node:os'",
      "await page.goto('/');",
    ].join('\n');
    const prepared = prepareScript(source);
    expect(prepared.split('\n')).toHaveLength(6);
    expect(prepared.split('\n')[0]).toBe(
      "const { test, expect: check } = require('@playwright/test'); const def = require('@playwright/test');;",
    );
    expect(prepared.split('\n')[1]).toBe(';');
    expect(prepared).toContain("import fs from 'node:fs'`;");
    expect(() => compileScript(source)).not.toThrow();
  });

  it('refuses a dynamic import of anything but @playwright/test, with its line', () => {
    const dynamic = fail("await page.goto('/');\nconst { readFileSync } = await import('node:fs');");
    expect(dynamic).toMatchObject({ line: 2 });
    expect(dynamic.message).toContain("imports 'node:fs'");
    expect(fail("const m = 'fs';\nawait import(m);").message).toContain("imports 'm'");
  });
});
