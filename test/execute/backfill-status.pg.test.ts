import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateStore } from '../../src/state/index.js';
import { makeProject, migrationSource, runCli } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';

const db = useTestDatabase();

interface PhaseJson {
  readonly phase: string;
  readonly state: string;
  readonly stepsDone: number;
  readonly steps: number;
  readonly backfill?: { readonly etaMs: number | null; readonly rowsPerSecond: number | null; readonly stoppedSince: string | null };
}

async function backfillPhase(dir: string, env: Record<string, string>): Promise<PhaseJson | undefined> {
  const result = await runCli(['status', '--json'], { cwd: dir, env });
  expect(result.code).toBe(0);
  const { migrations } = JSON.parse(result.stdout) as { migrations: { phases: PhaseJson[] }[] };
  return migrations[0]?.phases.find((p) => p.phase === 'backfill');
}

describe('status of a backfill', () => {
  it('shows one stopped by its time budget as stopped between runs with no ETA, and once done, every step of the phase done', async () => {
    await db.client.query('CREATE TABLE st_rows (id int PRIMARY KEY, n int NOT NULL DEFAULT 0); INSERT INTO st_rows (id) SELECT generate_series(1, 3000)');
    // 3000 rows at 300 rows/s outlast the budget by far, however slow the start of the process on a loaded machine.
    const paced = (maxRowsPerSecond: number) => ({
      backfill: { backfill: { table: 'st_rows', set: 'n = 1', maxRowsPerSecond, batchSize: 100 }, verify: 'SELECT count(*) FROM st_rows WHERE n = 0' },
    });
    const dir = await makeProject({ '1_st.ts': migrationSource(paced(300)) });
    const env = { DATABASE_URL: db.url, PHASEGATE_SCHEMA: 'st_state' };
    const budgeted = await runCli(['advance', '--time-budget', '2s'], { cwd: dir, env });
    expect(budgeted.code).toBe(3);

    const stopped = await backfillPhase(dir, env);
    expect(stopped).toMatchObject({ state: 'stopped', backfill: { etaMs: null, stoppedSince: expect.any(String) } });
    const text = await runCli(['status'], { cwd: dir, env });
    expect(text.stdout).toMatch(/backfill +stopped .*\n.*stopped between runs since \S+: run advance to continue/);
    expect(text.stdout).not.toContain('ETA');

    // Pacing is not part of the fingerprint: the rest may run faster.
    await writeFile(path.join(dir, 'migrations', '1_st.ts'), migrationSource(paced(100_000)));
    expect((await runCli(['advance'], { cwd: dir, env })).code).toBe(0);
    expect(await backfillPhase(dir, env)).toMatchObject({ state: 'done', stepsDone: 2, steps: 2 });
  });

  it('never shows a rate above maxRowsPerSecond, nor an ETA shorter than the rows left at that rate', async () => {
    await db.client.query('CREATE TABLE eta_rows (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)');
    const dir = await makeProject({ '1_eta.ts': migrationSource({ backfill: { backfill: { table: 'eta_rows', set: 'n = 1', maxRowsPerSecond: 100 } } }) });
    const store = new StateStore(db.client, 'phasegate');
    await store.startUnit('1_eta', 'backfill', { raw: {}, normalized: {} });
    // The last batches ran fast (10,000 rows/s measured) with 9,000 of 10,000 rows left.
    await store.backfills.start('1_eta', ['10000'], 10_000, 500);
    await store.backfills.commitBatch('1_eta', { sql: 'UPDATE eta_rows SET n = 1 WHERE id <= $1::int', params: ['1000'] }, { lastKey: ['1000'], rowsScanned: 1000, batchSize: 500, lastBatchMs: 50, rowsPerSecond: 10_000 });
    const phase = await backfillPhase(dir, { DATABASE_URL: db.url });
    expect(phase?.backfill?.rowsPerSecond).toBe(100);
    expect(phase?.backfill?.etaMs).toBeGreaterThanOrEqual((9_000 / 100) * 1000);
  });
});
