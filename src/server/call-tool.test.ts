/**
 * The one place results are built: failures as stable error results, and answers that are
 * compact (no null or '' fields unless `include` names them), valid against the listed
 * outputSchema as SDK 1.x clients check it, and cut by the budget with a hint naming `include`.
 */
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { startFakePingera } from '../../test/helpers/fake-pingera.js';
import { type Harness, openHarness } from '../../test/helpers/harness.js';
import { STORES } from '../../test/helpers/stores.js';
import { silentLogger } from '../core/log.js';
import { ALL_TOOLS } from '../tools/registry.js';
import { fromZod, toErrorResult } from './call-tool.js';
import { compileTools } from './registry.js';

const ctx = { log: silentLogger() };
const fault = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('toErrorResult', () => {
  it('says a storage fault as it is, with its cause, and that nothing was changed', () => {
    const r = toErrorResult(fault('SQLITE_FULL', 'database or disk is full'), ctx, 'create_user');
    expect(r.isError).toBe(true);
    expect(r.structuredContent).toMatchObject({
      error: {
        code: 'INTERNAL',
        message: expect.stringMatching(
          /disk holding the SQLite database is full.*SQLITE_FULL.*Nothing was changed/,
        ),
      },
    });
  });

  it('keeps anything else generic, with an id to find it in the log', () => {
    const r = toErrorResult(
      new TypeError("Cannot read properties of undefined (reading 'x')"),
      ctx,
      'get_users',
    );
    const message = (r.structuredContent as { error: { message: string } }).error.message;
    expect(message).toMatch(/^Internal error \(id [0-9a-f]{8}\)/);
    expect(message).not.toContain('Cannot read');
  });
});

/** Paths in an answer whose value is null or ''. */
function emptyPaths(value: unknown, path = '$'): string[] {
  if (value === null || value === '') return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => emptyPaths(v, `${path}[${i}]`));
  if (typeof value === 'object')
    return Object.entries(value as object).flatMap(([k, v]) => emptyPaths(v, `${path}.${k}`));
  return [];
}

/**
 * Validates answers against each tool's outputSchema as `tools/list` shows it (the registry's
 * listing, so tools outside the default list are covered too), as SDK 1.x clients do (ajv).
 */
function outputValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const tools = compileTools(ALL_TOOLS);
  return (tool: string, body: unknown) => {
    const schema = tools.get(tool)?.listing.outputSchema;
    expect(schema, tool).toBeDefined();
    const validate = ajv.compile(schema as object);
    expect(validate(body) ? [] : validate.errors, tool).toEqual([]);
  };
}

describe('fromZod', () => {
  const compiled = compileTools(ALL_TOOLS);
  it('blames an unknown wrapper, not the fields it hid', () => {
    const tool = compiled.get('create_page')!;
    const parsed = tool.def.input.safeParse({ page_data: { name: 'Status' } });
    expect(parsed.success).toBe(false);
    const err = fromZod((parsed as { error: z.ZodError }).error, tool);
    expect(err.message).toMatch(/^Unknown parameter `page_data` for create_page\. Valid parameters: name/);
  });
});

describe('compact answers through a real client on SQLite', () => {
  let h: Harness;
  const valid = outputValidator();

  beforeAll(async () => {
    h = await openHarness({ store: await STORES[0]!.open() });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a new status page has no null or empty fields; `include` asks for one and gets null', async () => {
    const created = await h.ok('create_page', { name: 'Fresh' });
    const page = created.pages[0];
    expect(emptyPaths(created)).toEqual([]);
    expect(page).toMatchObject({ name: 'Fresh', language: 'en', allow_rss_atom_feeds: true });
    expect(page).not.toHaveProperty('headline');
    expect(page).not.toHaveProperty('support_url');

    const asked = await h.ok('get_page_details', {
      page_id: page.id,
      include: ['name', 'headline', 'support_url'],
    });
    expect(asked.pages).toEqual([{ name: 'Fresh', headline: null, support_url: null }]);
    valid('get_page_details', asked);

    const listed = await h.ok('list_pages');
    expect(emptyPaths(listed)).toEqual([]);
    valid('list_pages', listed);
  });

  it('answers of several tools stay valid against their listed outputSchema once compacted', async () => {
    const page = (await h.ok('list_pages')).pages[0].id;
    await h.ok('create_component', { page_id: page, name: 'API' });
    await h.ok('create_check', { name: 'Local', type: 'tcp', host: '127.0.0.1', port: 9, interval: 300 });
    await h.ok('create_heartbeat', { name: 'Backup', period_seconds: 3600 });
    for (const [tool, args] of [
      ['list_components', { page_id: page }],
      ['list_checks', {}],
      ['list_heartbeats', {}],
      ['get_incidents', {}],
      ['get_status_overview', {}],
      ['list_incidents', { page_id: page }],
    ] as const) {
      const r = await h.call(tool, args);
      expect(r.isError, `${tool}: ${JSON.stringify(r.body)}`).toBe(false);
      expect(emptyPaths(r.body), tool).toEqual([]);
      valid(tool, r.body);
    }
    // The check itself catches a wrong answer.
    expect(() =>
      valid('list_pages', { metadata: { count: 1, description: 'x' }, pages: [{ name: 5 }] }),
    ).toThrow();
  });
});

describe('a list cut by the response budget', () => {
  it("suggests `include` with some of the tool's fields besides its filters", async () => {
    const h = await openHarness({
      store: await STORES[0]!.open(),
      env: { VIGIL_MAX_RESPONSE_TOKENS: '600' },
    });
    try {
      for (let i = 0; i < 12; i++) await h.ok('create_page', { name: `Page ${i}`, headline: 'x'.repeat(80) });
      const r = await h.ok('list_pages');
      expect(r.metadata.truncated).toBe(true);
      expect(r.metadata.hint).toMatch(/`include: \["id","name",/);
      expect(r.pages.length).toBeLessThan(12);
      const narrow = await h.ok('list_pages', { include: ['id', 'name'] });
      expect(narrow.pages.length).toBeGreaterThan(r.pages.length);
    } finally {
      await h.close();
    }
  });
});

describe('a Pingera answer without timestamps', () => {
  it('has no empty-string fields, and no made-up timestamps', async () => {
    const fake = await startFakePingera();
    const account = fake.addAccount('key-a', {
      pages: [{ id: 'pg0000000001', name: 'Acme', components: [{ id: 'cm0000000001', name: 'API' }] }],
      checks: [{ id: 'ck0000000001', name: 'Site', type: 'web', url: 'https://example.com' }],
    });
    // Pingera marks its timestamps optional: these objects come back with them null.
    for (const o of [...account.pages.values(), ...account.components.values(), ...account.checks.values()])
      Object.assign(o, { createdAt: null, updatedAt: null });
    const h = await openHarness({
      store: await STORES[0]!.open(),
      env: { PINGERA_API_KEY: 'key-a', PINGERA_BASE_URL: fake.url, VIGIL_MODE: 'read_only' },
    });
    try {
      const valid = outputValidator();
      for (const [tool, args] of [
        ['get_page_details', { page_id: 'pg0000000001' }],
        ['list_components', { page_id: 'pg0000000001' }],
        ['list_checks', {}],
      ] as const) {
        const r = await h.ok(tool, args);
        expect(emptyPaths(r), tool).toEqual([]);
        const item = (Object.values(r).find(Array.isArray) as Record<string, unknown>[])[0];
        expect(item, tool).toBeDefined();
        expect(item, tool).not.toHaveProperty('created_at');
        expect(item, tool).not.toHaveProperty('updated_at');
        valid(tool, r);
      }
    } finally {
      await h.close();
      await fake.close();
    }
  });
});

describe('units', () => {
  it('every listed numeric duration, latency or size field says its unit, in its name or its description', () => {
    const DURATION = /(time|duration|interval|timeout|period|delay|latency|cooldown|grace|size|length|ttl)/;
    const UNIT = /(_ms|_seconds|_minutes|_hours|_days|_bytes|_percentage|_at|_zone)$/;
    const SAYS = /millisecond|second|minute|hour|day|byte|percent/i;
    const silent: string[] = [];
    const checked: string[] = [];
    for (const tool of compileTools(ALL_TOOLS).values()) {
      const list = (tool.listing.outputSchema.properties ?? {}) as Record<
        string,
        { items: { properties: Record<string, { type?: string; description?: string }> } }
      >;
      const fields = list[tool.def.resource]?.items.properties ?? {};
      for (const [name, field] of Object.entries(fields)) {
        // Strings (start_time, end_time) are timestamps, which carry their own zone and format.
        if (!DURATION.test(name) || UNIT.test(name) || field.type === 'string') continue;
        checked.push(`${tool.def.name}.${name}`);
        if (!SAYS.test(field.description ?? '')) silent.push(`${tool.def.name}.${name}`);
      }
    }
    expect(checked).toEqual(
      expect.arrayContaining([
        'list_checks.interval',
        'get_check_results.response_time',
        'list_alerts.duration',
      ]),
    );
    expect(silent).toEqual([]);
  });
});
