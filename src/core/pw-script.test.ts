/**
 * Playwright scripts are compiled, not run, when a check is made: @playwright/test imports
 * become requires on the same lines, other imports and syntax errors are refused with the line.
 */
import { describe, expect, it } from 'vitest';
import { compileScript, ScriptError } from './pw-script.js';

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
});
