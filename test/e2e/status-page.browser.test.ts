/**
 * The public status page in headless Chromium (Debian's, driven by playwright-core): components,
 * an open incident and maintenance render; an uptime bar's tooltip gives the day's figure; the
 * incident page opens from the list; nothing overflows at 375 px; dark mode applies; the feeds
 * are well-formed XML. With VIGIL_SCREENSHOTS=1 it rewrites the README's screenshots in docs/
 * (not on every run: they would change each day). Skipped only when
 * Chromium is missing outside CI; in CI a missing browser fails.
 */
import { existsSync } from 'node:fs';
import type { Client } from '@modelcontextprotocol/client';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../helpers/clients.js';
import { type StatusFixture, seedStatusPages } from '../helpers/status-fixture.js';
import { type RunningVigil, startVigil, tempDir } from '../helpers/vigil.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) && process.env.CI !== 'true';
/** Browser-side expressions, as strings: this project's TypeScript has no DOM types. */
const FITS = 'document.documentElement.scrollWidth <= window.innerWidth';
const DOCS = new URL('../../docs/', import.meta.url);
const shoot = process.env.VIGIL_SCREENSHOTS === '1';
const screenshot = (page: Page, name: string) =>
  shoot ? page.screenshot({ path: new URL(name, DOCS).pathname }) : Promise.resolve();

describe.skipIf(skip)('the public status page in Chromium', () => {
  let server: RunningVigil;
  let client: Client;
  let browser: Browser;
  let f: StatusFixture;

  beforeAll(async () => {
    server = await startVigil({ VIGIL_DATA_DIR: tempDir(), VIGIL_MODE: 'read_write' });
    client = await connect('http-modern', { base: server.base });
    f = await seedStatusPages(client);
    browser = await chromium.launch({ executablePath: CHROMIUM });
  });
  afterAll(async () => {
    await browser?.close();
    await client?.close();
    await server?.stop();
  });

  it('shows components, the open incident and maintenance, with a tooltip per day', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${server.base}/status/acme`);
    await expect(page.locator('.banner')).toBeDefined();
    expect(await page.locator('.banner').textContent()).toBe('Minor Service Outage');
    const names = await page.locator('.component .name').allTextContents();
    expect(names).toEqual(['API', 'Web', 'Database']);
    expect(await page.locator('.group-name span').first().textContent()).toBe('Platform');
    const db = page.locator(`[data-component="${f.db}"]`);
    expect(await db.locator('.status').textContent()).toBe('Degraded performance');
    const active = page.locator('h2:has-text("Active incidents") + article');
    expect(await active.locator('h3').textContent()).toBe('Database degraded');
    expect(await active.textContent()).toContain('Slow queries on the primary.');
    const maintenance = page.locator('h2:has-text("Scheduled maintenance") + article');
    expect(await maintenance.locator('h3').textContent()).toBe('Database upgrade');

    // Today's bar of the API: hit by the critical incident, its figure in the tooltip.
    const today = page.locator(`[data-component="${f.api}"] svg.bars rect`).last();
    const title = await today.locator('title').textContent();
    expect(title).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}: \d{1,3}(\.\d\d)?% uptime — API errors$/);
    // Before the component existed: no data.
    expect(
      await page.locator(`[data-component="${f.api}"] svg.bars rect`).first().locator('title').textContent(),
    ).toMatch(/: No data$/);
    await screenshot(page, 'status-page-desktop.png');
    await page.close();
  });

  it('opens the incident page from the list', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.base}/status/acme`);
    await page.click('.day a:text("API errors")');
    expect(new URL(page.url()).pathname).toBe(`/status/acme/incidents/${f.resolved}`);
    expect(await page.locator('article h3').textContent()).toBe('API errors');
    expect(await page.locator('article').textContent()).toContain('Rolled back; all clear.');
    await page.close();
  });

  it('fits a 375 px phone without overflow, and applies dark mode', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 1 });
    await page.goto(`${server.base}/status/acme`);
    const fits = await page.evaluate(FITS);
    expect(fits).toBe(true);
    await screenshot(page, 'status-page-phone.png');
    const background = () => page.evaluate('getComputedStyle(document.body).backgroundColor');
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await background();
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await background();
    expect(dark).not.toBe(light);
    expect(dark).toBe('rgb(15, 18, 23)');
    await page.goto(`${server.base}/status/evil`);
    expect(await page.evaluate(FITS)).toBe(true);
    await page.close();
  });

  it('renders markup in names as text, and serves well-formed feeds', async () => {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${server.base}/status/evil`);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('h1').textContent()).toBe(`<script>alert("x")</script> O'Brien & "Co" &amp;`);
    expect(dialogs).toEqual([]);
    for (const feed of ['/status/evil/history.rss', '/status/acme/history.atom']) {
      const text = await (await fetch(`${server.base}${feed}`)).text();
      const errors = await page.evaluate(
        `new DOMParser().parseFromString(${JSON.stringify(text)}, 'application/xml').getElementsByTagName('parsererror').length`,
      );
      expect(errors, feed).toBe(0);
    }
    await page.close();
  });
});
