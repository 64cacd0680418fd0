import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildMigration } from '../../src/plan/index.js';
import {
  planReportJsonSchema,
  preparePlanReport,
  renderHtml,
  renderJson,
  renderMarkdown,
  renderText,
  type PlanReport,
} from '../../src/report/index.js';
import { EXAMPLE_SETTINGS, exampleMigrations, expectGolden, NOW } from './helpers.js';

const SCHEMA_FILE = fileURLToPath(new URL('../../docs/plan-report.schema.json', import.meta.url));

async function offlineReport(ids: readonly string[] = []): Promise<PlanReport> {
  return preparePlanReport({
    migrations: await exampleMigrations(),
    ids,
    all: false,
    settings: EXAMPLE_SETTINGS,
    database: { kind: 'offline', reason: 'no database URL configured' },
    assumedPgVersion: 14,
    now: NOW,
  });
}

describe('plan report of migrations-example, offline', () => {
  it('matches the text, markdown and json golden files', async () => {
    const report = await offlineReport();
    await expectGolden('plan-offline.txt', renderText(report));
    await expectGolden('plan-offline.md', renderMarkdown(report));
    await expectGolden('plan-offline.json', renderJson(report));
  });

  it('lists every unit in run order and says what it could not know instead of failing', async () => {
    const report = await offlineReport();
    expect(report.units.map((u) => `${u.migrationId.slice(15)}:${u.phase}`)).toEqual([
      'rename_users_email:expand',
      'add_orders_status:expand',
      'rename_users_email:dualWrite',
      'rename_users_email:backfill',
      'rename_users_email:contract',
      'rename_users_email:drop',
    ]);
    expect(report.database).toMatchObject({ kind: 'offline', pgVersion: 14 });
    expect(report.units.every((u) => u.state === 'unknown')).toBe(true);
    expect(report.units.filter((u) => u.gate.kind === 'gate').map((u) => u.gate)).toEqual([
      { kind: 'gate', text: 'app "api" at >=2.0.0', status: 'unknown', missing: null },
      { kind: 'gate', text: 'marker "api-v1-retired" and soak 24h after the previous phase', status: 'unknown', missing: null },
    ]);
    expect(report.relations.every((r) => r.exists === null && r.totalBytes === null)).toBe(true);
    const backfill = report.units[3]?.steps[0];
    expect(backfill).toMatchObject({ kind: 'backfill', explain: { kind: 'unavailable' }, estimate: { rows: null, durationMs: null } });
    expect(renderText(report)).toContain('Not known without a database:');
    expect(renderMarkdown(report)).toContain('Made without a database');
  });

  it('names the worst lock, the rollback story and the lock levels per statement', async () => {
    const report = await offlineReport();
    expect(report.summary.worstLock).toMatchObject({ level: 'ACCESS EXCLUSIVE', relation: 'users', blocks: 'readsAndWrites', held: 'transaction', phase: 'expand', step: 1 });
    expect(report.summary).toMatchObject({ units: 6, errors: 0, warnings: 0, irreversibleUnits: 2, biggestTable: null });
    const index = report.units[1]?.steps[1];
    expect(index).toMatchObject({
      kind: 'sql',
      transactional: false,
      timeouts: { lockTimeoutMs: 300_000, statementTimeoutMs: 14_400_000 },
      statements: [{ kind: 'createIndex', locks: [{ relation: 'orders', level: 'SHARE UPDATE EXCLUSIVE', blocks: 'ddl' }], mustRunOutsideTransaction: true }],
    });
    expect(report.units.map((u) => u.rollback.possible)).toEqual([true, true, true, true, false, false]);
  });

  it('describes only the named migrations when ids are given, and refuses an unknown id', async () => {
    const report = await offlineReport(['20261123130000_add_orders_status']);
    expect(report.selection).toEqual({ kind: 'migrations', ids: ['20261123130000_add_orders_status'] });
    expect(report.units.map((u) => u.phase)).toEqual(['expand']);
    await expect(offlineReport(['nope'])).rejects.toMatchObject({ code: 'USAGE', message: 'no such migration: nope' });
  });
});

describe('plan report JSON', () => {
  it('is valid against docs/plan-report.schema.json, which is generated from the report schema', async () => {
    const published = JSON.parse(await readFile(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
    expect(published).toEqual(planReportJsonSchema());
    const schema = z.fromJSONSchema(published);
    const json: unknown = JSON.parse(renderJson(await offlineReport()));
    expect(schema.safeParse(json).success).toBe(true);
    expect(json).toMatchObject({ schemaVersion: 2 });
    // The schema rejects what is not a report: a wrong version, an unknown key.
    expect(schema.safeParse({ ...(json as object), schemaVersion: 1 }).success).toBe(false);
    expect(schema.safeParse({ ...(json as object), extra: true }).success).toBe(false);
  });
});

describe('plan report rendering', () => {
  it('keeps text within 100 columns and uses colour only when given a style', async () => {
    const report = await offlineReport();
    const text = renderText(report);
    expect(text.split('\n').filter((l) => l.length > 100)).toEqual([]);
    expect(text).not.toContain('\u001b[');
    const red = (s: string): string => `\u001b[31m${s}\u001b[0m`;
    const coloured = renderText(report, { style: { bold: red, dim: red, red, yellow: red, green: red } });
    expect(coloured).toContain('\u001b[31m');
  });

  it('keeps markdown under its limit by dropping details of later units, and says so', async () => {
    const big = buildMigration(
      '20270101000000_big',
      '/m/20270101000000_big.ts',
      {
        description: 'many long statements',
        expand: {
          steps: Array.from({ length: 40 }, (_, i) => ({
            sql: `CREATE TABLE big_${i} (${Array.from({ length: 200 }, (_, c) => `column_number_${c} text`).join(', ')})`,
          })),
        },
        contract: { sql: Array.from({ length: 40 }, (_, i) => `ALTER TABLE big_${i} ADD CONSTRAINT c_${i} CHECK (column_number_1 <> '') NOT VALID`) },
      },
    );
    const report = await preparePlanReport({
      migrations: [...(await exampleMigrations()), big],
      ids: [],
      all: false,
      settings: EXAMPLE_SETTINGS,
      database: { kind: 'offline', reason: 'test' },
      assumedPgVersion: 15,
      now: NOW,
    });
    const full = renderMarkdown(report, { maxChars: 10_000_000 });
    expect(full.length).toBeGreaterThan(60_000);
    expect(full).toContain('more characters left out'); // a 4,000-character block is cut on its own
    const markdown = renderMarkdown(report);
    expect(markdown.length).toBeLessThanOrEqual(60_000);
    expect(markdown).toContain('were left out to stay under 60,000 characters');
    expect(markdown).toContain('### Relations');
    const tiny = renderMarkdown(report, { maxChars: 2_000 });
    expect(tiny.length).toBeLessThanOrEqual(2_000);
    expect(tiny).toContain('Cut at 2,000 characters');
  });

  it('writes HTML with no external resources and escapes SQL', async () => {
    const evil = buildMigration('20270101000000_evil', '/m/20270101000000_evil.ts', {
      expand: { sql: "ALTER TABLE users ADD COLUMN note text DEFAULT '</pre><script>alert(1)</script>'" },
    });
    const report = await preparePlanReport({
      migrations: [evil],
      ids: [],
      all: true,
      settings: EXAMPLE_SETTINGS,
      database: { kind: 'offline', reason: 'test' },
      assumedPgVersion: 15,
      now: NOW,
    });
    const html = renderHtml(report);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).toContain('class="badge readsAndWrites"');
  });
});
