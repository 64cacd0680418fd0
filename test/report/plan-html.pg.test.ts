import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance } from '../../src/execute/index.js';
import { preparePlanReport, renderHtml, type PlanReport } from '../../src/report/index.js';
import { useTestDatabase } from '../support/database.js';
import { testPolicy } from '../support/policy.js';
import { EXAMPLE_DIR, EXAMPLE_SETTINGS, exampleMigrations, NOW } from './helpers.js';

/** Debian's chromium package; CI installs it (.ci/run), and without it this file skips itself. */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../.test-artifacts/', import.meta.url));
const hasChromium = existsSync(CHROMIUM);

/** Runs in the page: one computed style property of an element (the tests compile without the DOM lib). */
const computedStyle = new Function('el', 'property', 'return String(getComputedStyle(el)[property])') as (el: unknown, property: string) => string;

describe.skipIf(!hasChromium)('plan report HTML in headless Chromium', () => {
  const db = useTestDatabase();
  let browser: Browser;
  let report: PlanReport;

  beforeAll(async () => {
    await db.client.query(await readFile(`${EXAMPLE_DIR}schema.sql`, 'utf8'));
    await db.client.query('ANALYZE users, orders');
    const migrations = await exampleMigrations();
    await advance({ db: db.client, schema: 'phasegate', migrations, policy: testPolicy, to: { migrationId: '20261123130000_add_orders_status', phase: 'expand' } });
    report = await preparePlanReport({
      migrations,
      ids: [],
      all: true,
      settings: EXAMPLE_SETTINGS,
      database: { kind: 'online', db: db.client, schema: 'phasegate' },
      assumedPgVersion: 14,
      now: NOW,
    });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows the summary, every unit and coloured lock badges, loads nothing from the network, and prints', async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const file = `${ARTIFACTS}plan-report.html`;
    await writeFile(file, renderHtml(report));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(file).href);

    expect(await page.title()).toBe('phasegate plan: 6 units');
    expect(await page.locator('#summary h2').isVisible()).toBe(true);
    expect(await page.locator('table.summary').innerText()).toContain('ACCESS EXCLUSIVE on users');
    for (const unit of report.units) {
      const section = page.locator(`#unit-${unit.order}`);
      await section.scrollIntoViewIfNeeded();
      expect(await section.isVisible()).toBe(true);
      expect(await section.locator('h2').innerText()).toContain(`${unit.migrationId} · ${unit.phase}`);
    }
    const colours = {
      readsAndWrites: 'rgb(207, 34, 46)',
      writes: 'rgb(188, 76, 0)',
      ddl: 'rgb(154, 103, 0)',
      nothing: 'rgb(26, 127, 55)',
    } as const;
    for (const [impact, colour] of Object.entries(colours)) {
      const badge = page.locator(`section.unit .badge.${impact}`).first();
      await badge.scrollIntoViewIfNeeded();
      expect(await badge.isVisible(), `${impact} badge`).toBe(true);
      expect(await badge.evaluate(computedStyle, 'backgroundColor')).toBe(colour);
    }
    expect(await page.locator('.badge').count()).toBeGreaterThan(10);
    expect(await page.locator('pre.plan').first().innerText()).toMatch(/Update on users|Aggregate/);
    expect(await page.locator('pre').first().evaluate(computedStyle, 'fontFamily')).toMatch(/monospace/);
    expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);

    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: `${ARTIFACTS}plan-report-top.png` });
    await page.screenshot({ path: `${ARTIFACTS}plan-report.png`, fullPage: true });
    expect((await stat(`${ARTIFACTS}plan-report.png`)).size).toBeGreaterThan(10_000);
    await page.emulateMedia({ media: 'print' });
    await page.pdf({ path: `${ARTIFACTS}plan-report.pdf`, format: 'A4', printBackground: true });
    expect((await stat(`${ARTIFACTS}plan-report.pdf`)).size).toBeGreaterThan(10_000);
    await page.close();
  });
});
