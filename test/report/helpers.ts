import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { loadMigrations } from '../../src/load/index.js';
import type { Migration } from '../../src/plan/index.js';
import type { PlanReport, PlanSettings } from '../../src/report/index.js';

export const EXAMPLE_DIR = fileURLToPath(new URL('../../migrations-example/', import.meta.url));

let loaded: Promise<Migration[]> | undefined;

/** The example migrations, as `migrate plan` loads them (once per test file: jiti compiles them). */
export function exampleMigrations(): Promise<Migration[]> {
  loaded ??= loadMigrations(`${EXAMPLE_DIR}migrations`);
  return loaded;
}

/** The settings migrations-example/phasegate.config.ts resolves to. */
export const EXAMPLE_SETTINGS: PlanSettings = {
  timeouts: { lockTimeoutMs: 2_000, statementTimeoutMs: 30_000 },
  nonTransactionalTimeouts: { lockTimeoutMs: 300_000, statementTimeoutMs: 4 * 3_600_000 },
  lockRetries: 5,
  backfill: { batchSize: 500, tuning: {}, statementTimeoutMs: 30_000, lockTimeoutMs: 5_000 },
};

/** A fixed clock, so reports are byte-for-byte repeatable. */
export const NOW = new Date('2026-11-23T12:00:00.000Z');

/**
 * Makes a report made on a live server repeatable across servers and
 * versions: sizes become 8 kB, EXPLAIN
 * keeps its top node without costs, and the server version is hidden.
 */
export function normaliseReport(report: PlanReport): PlanReport {
  const size = (bytes: number | null): number | null => (bytes === null ? null : bytes === 0 ? 0 : 8192);
  const explain = <T extends { explain: { kind: 'plan'; text: string } | { kind: 'unavailable'; reason: string } }>(step: T): T =>
    step.explain.kind === 'plan'
      ? { ...step, explain: { kind: 'plan', text: (step.explain.text.split('\n')[0] ?? '').replace(/\s+\(cost=.*\)$/, '') } }
      : step;
  return {
    ...report,
    database: report.database.kind === 'online' ? { ...report.database, serverVersion: 'N', pgVersion: 0 } : report.database,
    units: report.units.map((u) => ({
      ...u,
      steps: u.steps.map((s) => (s.kind === 'sql' ? s : explain(s))),
    })),
    relations: report.relations.map((r) => ({
      ...r,
      totalBytes: size(r.totalBytes),
      tableBytes: size(r.tableBytes),
      indexBytes: size(r.indexBytes),
      indexes: r.indexes.map((i) => ({ ...i, bytes: 8192 })),
    })),
    summary: {
      ...report.summary,
      biggestTable: report.summary.biggestTable === null ? null : { ...report.summary.biggestTable, totalBytes: 8192 },
    },
  };
}

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));

/** Compares with test/report/golden/<name>; UPDATE_GOLDEN=1 rewrites the file instead. */
export async function expectGolden(name: string, actual: string): Promise<void> {
  const file = `${GOLDEN}${name}`;
  if (process.env['UPDATE_GOLDEN'] === '1') {
    await writeFile(file, actual);
    return;
  }
  const expected = await readFile(file, 'utf8').catch(() => undefined);
  expect(expected, `${name} is missing: run with UPDATE_GOLDEN=1 to create it`).toBeDefined();
  expect(actual).toBe(expected);
}
