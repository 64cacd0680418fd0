import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, migrationSource, runCli, startCli } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';
import { until } from '../support/until.js';

const db = useTestDatabase();
let counter = 0;
const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

async function project(def: object): Promise<{ dir: string; env: Record<string, string>; schema: string; n: number; edit: (def: object) => Promise<void> }> {
  counter += 1;
  const dir = await makeProject({ '1_x.ts': migrationSource(def) });
  const edit = (next: object): Promise<void> => writeFile(path.join(dir, 'migrations', '1_x.ts'), migrationSource(next));
  return { dir, env: { DATABASE_URL: db.url, PHASEGATE_SCHEMA: `held_${counter}` }, schema: `held_${counter}`, n: counter, edit };
}

const scalar = async (sql: string): Promise<number> => Number((await db.client.query<{ n: string | null }>(sql)).rows[0]?.n ?? 0);
const exists = async (table: string): Promise<boolean> =>
  (await db.client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [table])).rows[0]?.t != null;

/** A table of `rows` rows whose `counter` a non-idempotent backfill increments. */
async function counted(table: string, rows: number): Promise<void> {
  await db.client.query(`CREATE TABLE ${table} (id int PRIMARY KEY, counter int NOT NULL DEFAULT 0); INSERT INTO ${table} (id) SELECT generate_series(1, ${rows})`);
}

/** Runs advance until the backfill committed a batch, then stops it with SIGTERM (after the batch in flight). */
async function partlyBackfill(p: { dir: string; env: Record<string, string>; schema: string }): Promise<void> {
  const run = startCli(['advance'], { cwd: p.dir, env: p.env });
  await until(async () => (await scalar(`SELECT batches AS n FROM ${p.schema}.backfills`).catch(() => 0)) > 0);
  run.child.kill('SIGTERM');
  expect((await run.done).code).toBe(3);
}

describe('rollback that stays rolled back', () => {
  it('holds a rolled-back migration: advance exits 3 (rolledBack) and re-applies nothing, the file may be edited, reapply runs it again', async () => {
    const p = await project({
      expand: { sql: `CREATE TABLE a_${counter + 1} (id int)`, down: `DROP TABLE a_${counter + 1}` },
      contract: { sql: 'SELECT 1', gate: { marker: 'never' } },
    });
    expect((await runCli(['advance'], { cwd: p.dir, env: p.env })).code).toBe(3);
    expect((await runCli(['rollback', '1_x'], { cwd: p.dir, env: p.env })).code).toBe(0);
    await p.edit({ expand: { sql: `CREATE TABLE b_${p.n} (id int)`, down: `DROP TABLE b_${p.n}` }, contract: { sql: 'SELECT 1', gate: { marker: 'never' } } });

    const held = await runCli(['advance', '--json'], { cwd: p.dir, env: p.env });
    expect(held.code).toBe(3);
    expect(json(held.stdout)).toMatchObject({ ran: [], stoppedAt: { migration: '1_x', phase: 'expand', reason: 'rolledBack', detail: expect.stringContaining('migrate reapply 1_x') } });
    expect(await exists(`a_${p.n}`)).toBe(false);
    expect(await exists(`b_${p.n}`)).toBe(false);

    expect((await runCli(['reapply', '1_x'], { cwd: p.dir, env: p.env })).code).toBe(0);
    const again = await runCli(['advance', '--json'], { cwd: p.dir, env: p.env });
    expect(again.code).toBe(3);
    expect(json(again.stdout)).toMatchObject({ ran: [{ phase: 'expand' }], stoppedAt: { phase: 'contract', reason: 'gate' } });
    expect(await exists(`b_${p.n}`)).toBe(true);
    expect((await runCli(['reapply', '1_x'], { cwd: p.dir, env: p.env })).code).toBe(2); // nothing is rolled back any more
  });

  it('rolling back a partly done backfill runs its down and clears its progress and pause flag, so each row is updated exactly once after reapply', async () => {
    const table = `bf_${counter + 1}`;
    await counted(table, 40_000);
    const p = await project({
      backfill: { backfill: { table, set: 'counter = counter + 1', maxRowsPerSecond: 5_000 }, down: `UPDATE ${table} SET counter = 0` },
    });
    await partlyBackfill(p);
    expect((await runCli(['pause', '1_x'], { cwd: p.dir, env: p.env })).code).toBe(0);
    expect(await scalar(`SELECT count(*) AS n FROM ${table} WHERE counter = 1`)).toBeGreaterThan(0);
    expect(await scalar(`SELECT count(*) AS n FROM ${table} WHERE counter = 0`)).toBeGreaterThan(0);

    expect((await runCli(['rollback', '1_x'], { cwd: p.dir, env: p.env })).code).toBe(0);
    expect(await scalar(`SELECT count(*) AS n FROM ${table} WHERE counter <> 0`)).toBe(0);
    expect(await scalar(`SELECT count(*) AS n FROM ${p.schema}.backfills`)).toBe(0);
    expect(await scalar(`SELECT count(*) AS n FROM ${p.schema}.backfill_controls`)).toBe(0);

    expect((await runCli(['reapply', '1_x'], { cwd: p.dir, env: p.env })).code).toBe(0);
    await p.edit({ backfill: { backfill: { table, set: 'counter = counter + 1', maxRowsPerSecond: 1_000_000 }, down: `UPDATE ${table} SET counter = 0` } });
    expect((await runCli(['advance'], { cwd: p.dir, env: p.env })).code).toBe(0); // not paused any more
    expect(await scalar(`SELECT count(*) AS n FROM ${table} WHERE counter <> 1`)).toBe(0);
  });

  it('refuses with exit 4 to roll back a partly done backfill without a down, keeping its progress', async () => {
    const table = `nodown_${counter + 1}`;
    await counted(table, 40_000);
    const p = await project({ backfill: { backfill: { table, set: 'counter = counter + 1', maxRowsPerSecond: 5_000 } } });
    await partlyBackfill(p);
    const done = await scalar(`SELECT rows_done AS n FROM ${p.schema}.backfills`);
    expect(done).toBeGreaterThan(0);
    const refused = await runCli(['rollback', '1_x'], { cwd: p.dir, env: p.env });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('phase backfill has no down');
    expect(await scalar(`SELECT rows_done AS n FROM ${p.schema}.backfills`)).toBe(done);
    await p.edit({ backfill: { backfill: { table, set: 'counter = counter + 1', maxRowsPerSecond: 1_000_000, batchSize: 5_000 } } });
    expect((await runCli(['advance'], { cwd: p.dir, env: p.env })).code).toBe(0); // retuned while running: not an edit
    expect(await scalar(`SELECT count(*) AS n FROM ${table} WHERE counter <> 1`)).toBe(0);
  });
});

describe('a way out of every failure', () => {
  it('lets a unit that failed with no step committed be edited and run again', async () => {
    const p = await project({ expand: { sql: `ALTER TABLE missing_${counter + 1} ADD COLUMN a int` } });
    const failed = await runCli(['advance', '--json'], { cwd: p.dir, env: p.env });
    expect(failed.code).toBe(1);
    expect(json(failed.stdout)).toMatchObject({ stoppedAt: { reason: 'error', hint: expect.stringContaining('run advance again') } });
    await p.edit({ expand: { sql: [`CREATE TABLE missing_${p.n} (id int)`, `ALTER TABLE missing_${p.n} ADD COLUMN a int`] } });
    expect((await runCli(['advance'], { cwd: p.dir, env: p.env })).code).toBe(0);
    expect(await scalar(`SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'missing_${p.n}'`)).toBe(2);
  });

  it('names rollback, edit and reapply when a step failed after others committed, and refuses the edit', async () => {
    const def = { expand: { sql: [`CREATE TABLE part_${counter + 1} (id int)`, 'SELECT * FROM no_such_table'], down: `DROP TABLE part_${counter + 1}` } };
    const p = await project(def);
    const failed = await runCli(['advance', '--json'], { cwd: p.dir, env: p.env });
    expect(failed.code).toBe(1);
    expect(json(failed.stdout)).toMatchObject({
      stoppedAt: { hint: expect.stringMatching(/already committed.*migrate rollback 1_x`, edit the file, `migrate reapply 1_x`/) },
    });
    await p.edit({ expand: { ...def.expand, sql: [`CREATE TABLE part_${p.n} (id int)`, 'SELECT 1'] } });
    expect((await runCli(['advance'], { cwd: p.dir, env: p.env })).code).toBe(2);
    expect((await runCli(['rollback', '1_x'], { cwd: p.dir, env: p.env })).code).toBe(0);
    expect((await runCli(['reapply', '1_x'], { cwd: p.dir, env: p.env })).code).toBe(0);
    expect((await runCli(['advance'], { cwd: p.dir, env: p.env })).code).toBe(0);
  });

  it('does not count whitespace and comment edits as changes', async () => {
    const p = await project({ expand: { sql: `CREATE TABLE ws_${counter + 1} (id int, v text)` }, contract: { sql: 'SELECT 1', gate: { marker: 'm' } } });
    expect((await runCli(['advance'], { cwd: p.dir, env: p.env })).code).toBe(3);
    await p.edit({ expand: { sql: `-- the widgets\nCREATE TABLE ws_${p.n} (\n  id int,\n  v  text /* free text */\n)` }, contract: { sql: 'SELECT  1', gate: { marker: 'm' } } });
    expect((await runCli(['status', '--exit-code'], { cwd: p.dir, env: p.env })).code).toBe(3);
    expect((await runCli(['advance'], { cwd: p.dir, env: p.env })).code).toBe(3);
  });

  it('status --exit-code, plan and lint exit 2 on an edited done migration', async () => {
    const p = await project({ expand: { sql: `CREATE TABLE ed_${counter + 1} (id int)` } });
    expect((await runCli(['advance'], { cwd: p.dir, env: p.env })).code).toBe(0);
    await p.edit({ expand: { sql: `CREATE TABLE ed_${p.n} (id bigint)` } });
    const status = await runCli(['status', '--exit-code'], { cwd: p.dir, env: p.env });
    expect(status.code).toBe(2);
    expect(status.stdout).toContain('edited after it started: expand');
    for (const command of [['plan'], ['lint']]) {
      const result = await runCli(command, { cwd: p.dir, env: p.env });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('1_x.ts: changed after it started (phases: expand)');
    }
  });

  it('sees a marker recorded while a long advance runs at the next gate', async () => {
    const table = `marked_${counter + 1}`;
    await counted(table, 1_000);
    const p = await project({
      backfill: { backfill: { table, set: 'counter = counter + 1', throttleCheckInterval: '100ms' } },
      contract: { sql: 'SELECT 1', gate: { marker: 'reads-new' } },
    });
    // Paused before it starts, the run is certainly still in its backfill when the marker is recorded.
    expect((await runCli(['pause', '1_x'], { cwd: p.dir, env: p.env })).code).toBe(0);
    const run = startCli(['advance', '--json'], { cwd: p.dir, env: p.env });
    await until(async () => (await scalar(`SELECT count(*) AS n FROM ${p.schema}.events WHERE kind = 'backfillWaiting'`).catch(() => 0)) > 0);
    expect((await runCli(['mark', 'reads-new'], { cwd: p.dir, env: p.env })).code).toBe(0);
    expect((await runCli(['resume', '1_x'], { cwd: p.dir, env: p.env })).code).toBe(0);
    const done = await run.done;
    expect(json(done.stdout)).toMatchObject({ ran: [{ phase: 'backfill' }, { phase: 'contract' }], stoppedAt: null });
    expect(done.code).toBe(0);
  });
});
