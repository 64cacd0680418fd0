import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkQueryPlan } from '../../src/execute/plan-check.js';
import { runHealthQuery } from '../../src/backfill/throttle.js';
import { readOnlyValue } from '../../src/pg/index.js';
import { makeProject, migrationSource, runCli } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';

const db = useTestDatabase();
let counter = 0;

async function createItems(table: string): Promise<void> {
  await db.client.query(`CREATE TABLE ${table} (id int PRIMARY KEY, counter int NOT NULL DEFAULT 0); INSERT INTO ${table} (id) SELECT generate_series(1, 50)`);
}

async function rows(table: string): Promise<{ count: number; touched: number }> {
  const { rows: [row] } = await db.client.query<{ count: number; touched: number }>(
    `SELECT count(*)::int AS count, count(*) FILTER (WHERE counter <> 0)::int AS touched FROM ${table}`,
  );
  return row ?? { count: 0, touched: 0 };
}

/** A project with one migration, its own state schema, and the database URL in the environment. */
async function project(file: string, definition: object): Promise<{ dir: string; env: Record<string, string> }> {
  counter += 1;
  const dir = await makeProject({ [file]: migrationSource(definition) });
  return { dir, env: { DATABASE_URL: db.url, PHASEGATE_SCHEMA: `fragments_${counter}` } };
}

/** lint, plan and advance: each must refuse before anything runs. */
async function everyCommand(dir: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }[]> {
  return [await runCli(['lint'], { cwd: dir, env }), await runCli(['plan'], { cwd: dir, env }), await runCli(['advance'], { cwd: dir, env })];
}

describe('user SQL fragments', () => {
  it('exits 2 from lint, plan and advance naming the file and field when verify smuggles a DELETE, and no row is deleted', async () => {
    await createItems('verified');
    const { dir, env } = await project('1_verify.ts', {
      expand: { sql: 'ALTER TABLE verified ADD COLUMN note text', verify: 'SELECT count(*) FROM verified WHERE false; DELETE FROM verified' },
    });
    for (const result of await everyCommand(dir, env)) {
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${path.join(dir, 'migrations', '1_verify.ts')}: expand.verify: must be one SELECT: found 2 statements`);
    }
    expect(await rows('verified')).toEqual({ count: 50, touched: 0 });
    const { rows: columns } = await db.client.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'verified' AND column_name = 'note'");
    expect(columns).toEqual([]);
  });

  it('exits 2 from lint, plan and advance naming the field when a backfill where tries to escape its key range, and no row is touched', async () => {
    await createItems('escaped');
    const { dir, env } = await project('2_where.ts', {
      backfill: { backfill: { table: 'escaped', set: 'counter = counter + 1', where: 'counter = 0) OR (true', batchSize: 10 } },
    });
    for (const result of await everyCommand(dir, env)) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/2_where\.ts: backfill\.backfill\.where: must be one boolean expression: it does not parse/);
    }
    expect(await rows('escaped')).toEqual({ count: 50, touched: 0 });
  });

  it('refuses a set that carries its own WHERE, naming the field', async () => {
    await createItems('smuggled');
    const { dir, env } = await project('3_set.ts', { backfill: { backfill: { table: 'smuggled', set: 'counter = 1 WHERE id = 1' } } });
    const result = await runCli(['advance'], { cwd: dir, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/3_set\.ts: backfill\.backfill\.set: must be one SET list \(column = value, \.\.\.\): found WHERE after it/);
    expect(await rows('smuggled')).toEqual({ count: 50, touched: 0 });
  });

  it('runs a where ending in a -- comment inside the key range, updating each matching row once', async () => {
    await createItems('commented');
    const { dir, env } = await project('4_comment.ts', {
      backfill: { backfill: { table: 'commented', set: 'counter = counter + 1', where: 'counter = 0 AND id <= 20 -- only the old rows', batchSize: 7 } },
    });
    const result = await runCli(['advance'], { cwd: dir, env });
    expect(result.code).toBe(0);
    const { rows: [sum] } = await db.client.query<{ ones: number; others: number }>(
      'SELECT count(*) FILTER (WHERE counter = 1)::int AS ones, count(*) FILTER (WHERE id > 20 AND counter <> 0)::int AS others FROM commented',
    );
    expect(sum).toEqual({ ones: 20, others: 0 });
  });

  it("exits 2 naming the config file and field when the config's healthQuery is two statements", async () => {
    await createItems('healthy');
    const { dir, env } = await project('5_health.ts', { backfill: { backfill: { table: 'healthy', set: 'counter = counter + 1' } } });
    await writeFile(path.join(dir, 'phasegate.config.ts'), "export default { migrationsDir: 'migrations', backfill: { healthQuery: 'SELECT true; DELETE FROM healthy' } };\n");
    const result = await runCli(['advance'], { cwd: dir, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${path.join(dir, 'phasegate.config.ts')}: backfill.healthQuery: must be one SELECT: found 2 statements`);
    expect(await rows('healthy')).toEqual({ count: 50, touched: 0 });
  });
});

describe('read-only queries at run time (defence in depth, past the parser)', () => {
  const twoStatements = (table: string): string => `SELECT count(*) FROM ${table} WHERE false; DELETE FROM ${table}`;
  const limits = { lockTimeoutMs: 1_000, statementTimeoutMs: 5_000 };

  it('refuses a two-statement verify in its EXPLAIN and in the query itself, and deletes nothing', async () => {
    await createItems('runtime');
    await expect(checkQueryPlan(db.client, twoStatements('runtime'), { seqScanBytes: 0 }, 'verify', limits)).rejects.toThrow(/multiple commands/);
    await expect(readOnlyValue(db.client, twoStatements('runtime'), limits)).rejects.toThrow(/multiple commands/);
    expect(await runHealthQuery(db.client, `SELECT true; DELETE FROM runtime`)).toMatchObject({ kind: 'failed', detail: expect.stringMatching(/multiple commands/) });
    expect(await rows('runtime')).toEqual({ count: 50, touched: 0 });
  });

  it('runs a verify read-only: a data-modifying WITH is refused by the server', async () => {
    await createItems('writing');
    await expect(readOnlyValue(db.client, 'WITH d AS (DELETE FROM writing RETURNING 1) SELECT count(*) FROM d', limits)).rejects.toThrow(/read-only transaction/);
    expect(await rows('writing')).toEqual({ count: 50, touched: 0 });
  });
});
