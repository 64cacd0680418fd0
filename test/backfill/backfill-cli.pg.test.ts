import { describe, expect, it } from 'vitest';
import { makeProject, migrationSource, runCli, startCli } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';
import { batchCall, startStatementCounter } from '../support/statement-counter.js';
import { until } from '../support/until.js';

const db = useTestDatabase();
let counter = 0;
const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;
const ID = '1_backfill';

/** A project whose one migration backfills `table` with a non-idempotent set, and its own state schema. */
async function project(table: string, spec: object = {}): Promise<{ dir: string; env: Record<string, string>; schema: string }> {
  counter += 1;
  const schema = `cli_bf_${counter}`;
  const dir = await makeProject({ [`${ID}.ts`]: migrationSource({ backfill: { backfill: { table, set: 'counter = counter + 1', ...spec } } }) });
  return { dir, schema, env: { DATABASE_URL: db.url, PHASEGATE_SCHEMA: schema } };
}

async function createTable(table: string, rows: number): Promise<void> {
  await db.client.query(`CREATE TABLE ${table} (id int PRIMARY KEY, counter int NOT NULL DEFAULT 0); INSERT INTO ${table} (id) SELECT generate_series(1, ${rows});`);
}

async function scalar(sql: string): Promise<number> {
  const { rows } = await db.client.query<{ n: string | number | null }>(sql);
  return Number(rows[0]?.n ?? 0);
}

/** Keys walked so far, as the runner last committed them. */
const scanned = (schema: string): Promise<number> =>
  scalar(`SELECT coalesce((SELECT rows_scanned FROM ${schema}.backfills WHERE migration_id = '${ID}'), 0) AS n`).catch(() => 0);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('backfill through the migrate CLI', () => {
  it.each([
    ['next to the server', 0],
    ['far from the server', 3],
  ])('survives SIGKILL at random points, again and again, %s, and in the end updates every row exactly once', async (_, delayMs) => {
    const table = `killed_${delayMs}`;
    await createTable(table, 30_000);
    // 6 ms a round trip: a batch's statement may still be on its way, run and commit after its runner died; the
    // next runner waits for the dead one's lock, then resumes from that checkpoint.
    const proxy = await startStatementCounter(db.url, { delayMs });
    try {
      const { dir, env: direct, schema } = await project(table, { maxRowsPerSecond: 20_000, targetBatchDuration: 20 });
      const env = { ...direct, DATABASE_URL: proxy.url };
      let kills = 0;
      for (let i = 0; i < 5; i += 1) {
        const { child, done } = startCli(['advance', '--wait', '10s'], { cwd: dir, env });
        const threshold = ((i + Math.random()) / 6) * 30_000;
        let exited = false;
        void done.then(() => (exited = true));
        await until(async () => exited || (await scanned(schema)) >= threshold);
        await sleep(Math.random() * 40); // land anywhere: mid-batch, mid-commit, between batches
        if (child.kill('SIGKILL')) kills += 1;
        await done;
      }
      expect(kills).toBeGreaterThanOrEqual(3);
      const before = await scanned(schema);
      expect(before).toBeGreaterThan(0);
      const final = await runCli(['advance', '--wait', '10s', '--json'], { cwd: dir, env });
      expect(final.code).toBe(0);
      expect(await scalar(`SELECT count(*) AS n FROM ${table} WHERE counter <> 1`)).toBe(0);
      expect(await scanned(schema)).toBe(30_000);
      expect(proxy.statements.filter(batchCall).length).toBeGreaterThan(5);
      // Never as a transaction of its own statements: the UPDATE is sent only as the call's argument.
      expect(proxy.statements.filter((sql) => sql.includes(`UPDATE public.${table} SET`) && !batchCall(sql))).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('stops after the batch in flight on SIGTERM with exit 3, and the next advance completes', async () => {
    await createTable('termed', 20_000);
    const { dir, env, schema } = await project('termed', { maxRowsPerSecond: 10_000 });
    const { child, done } = startCli(['advance', '--json'], { cwd: dir, env });
    await until(async () => (await scanned(schema)) > 0);
    child.kill('SIGTERM');
    const stopped = await done;
    expect(stopped.code).toBe(3);
    expect(json(stopped.stdout)).toMatchObject({ stoppedAt: { migration: ID, phase: 'backfill', reason: 'backfill-in-progress' }, exitCode: 3 });
    const partial = await scanned(schema);
    expect(partial).toBeLessThan(20_000);
    expect(await scalar('SELECT count(*) AS n FROM termed WHERE counter = 1')).toBe(partial); // the batch in flight committed with its checkpoint
    expect((await runCli(['advance'], { cwd: dir, env })).code).toBe(0);
    expect(await scalar('SELECT count(*) AS n FROM termed WHERE counter <> 1')).toBe(0);
  });

  it('stops when the time budget is spent with exit 3, and the next advance continues', async () => {
    await createTable('budgeted', 20_000);
    const { dir, env, schema } = await project('budgeted', { maxRowsPerSecond: 10_000 });
    const first = await runCli(['advance', '--time-budget', '600ms', '--json'], { cwd: dir, env });
    expect(first.code).toBe(3);
    expect(json(first.stdout)).toMatchObject({ stoppedAt: { reason: 'backfill-in-progress' } });
    const partial = await scanned(schema);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(20_000);
    const status = json((await runCli(['status', '--json'], { cwd: dir, env })).stdout);
    expect(status['migrations']).toMatchObject([
      { phases: [{ phase: 'backfill', state: 'stopped', backfill: { rowsScanned: partial, rowsPerSecond: expect.any(Number), etaMs: null, stoppedSince: expect.any(String), paused: false } }] },
    ]);
    expect((await runCli(['advance'], { cwd: dir, env })).code).toBe(0);
    expect(await scalar('SELECT count(*) AS n FROM budgeted WHERE counter <> 1')).toBe(0);
  });

  it('pauses after the batch in flight and resumes from a second process, and status says so', async () => {
    // Slow enough (about 10 s unpaused) that a pause from a second process, itself a CLI start-up, lands mid-backfill on a loaded machine.
    await createTable('paused', 40_000);
    const { dir, env, schema } = await project('paused', { maxRowsPerSecond: 4_000, throttleCheckInterval: '100ms' });
    const runner = startCli(['advance', '--json'], { cwd: dir, env });
    await until(async () => (await scanned(schema)) > 0);
    const pause = await runCli(['pause', ID, '--by', 'bob'], { cwd: dir, env });
    expect(pause.code).toBe(0);
    const statusJson = async () => json((await runCli(['status', '--json'], { cwd: dir, env })).stdout);
    await until(async () => JSON.stringify(await statusJson()).includes('"throttle":"paused by bob'));
    const held = await scanned(schema);
    await sleep(400);
    expect(await scanned(schema)).toBe(held); // no batch while paused
    expect(held).toBeLessThan(40_000);
    const text = await runCli(['status'], { cwd: dir, env });
    expect(text.stdout).toMatch(/backfill paused: [\d,]+\/[\d,]+ rows walked.*PAUSED by bob/);
    expect((await runCli(['resume', ID], { cwd: dir, env })).code).toBe(0);
    const done = await runner.done;
    expect(done.code).toBe(0);
    expect(done.stderr).toContain('backfill waiting: paused by bob');
    expect(await scalar('SELECT count(*) AS n FROM paused WHERE counter <> 1')).toBe(0);
    expect((await runCli(['pause', '2_missing'], { cwd: dir, env })).code).toBe(2);
  });

  it('logs one progress line per batch, with its duration, at debug level, and one at info level', async () => {
    await createTable('logged', 5_000);
    const lines = async (level: string): Promise<{ batches: number; logged: Record<string, unknown>[] }> => {
      const { dir, env, schema } = await project('logged', { batchSize: 500 });
      const result = await runCli(['advance', '--log-level', level], { cwd: dir, env });
      expect(result.code).toBe(0);
      const logged = result.stderr
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => json(line))
        .filter((line) => line['msg'] === 'backfill progress');
      return { batches: await scalar(`SELECT batches AS n FROM ${schema}.backfills`), logged };
    };
    const debug = await lines('debug');
    expect(debug.batches).toBe(10);
    expect(debug.logged).toHaveLength(10);
    for (const line of debug.logged) expect(line).toMatchObject({ table: 'logged', batchSize: 500, lastBatchMs: expect.any(Number) });
    // The first batch's line is due (the backfill started running); the others are debug lines.
    expect(debug.logged.filter((line) => line['level'] === 20)).toHaveLength(9);
    const info = await lines('info');
    expect(info.batches).toBe(10);
    expect(info.logged).toHaveLength(1);
  });

  it('finishes under concurrent writers and inserters, loses no write, and verifies to 0', async () => {
    await db.client.query(`
      CREATE TABLE busy (id bigserial PRIMARY KEY, v int NOT NULL DEFAULT 0, v2 int);
      INSERT INTO busy (v) SELECT 0 FROM generate_series(1, 20000);
      -- the dual-write trigger keeps new and updated rows in shape; the backfill does the old ones
      CREATE FUNCTION busy_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.v2 := NEW.v * 2; RETURN NEW; END $$;
      CREATE TRIGGER busy_sync BEFORE INSERT OR UPDATE ON busy FOR EACH ROW EXECUTE FUNCTION busy_sync();`);
    counter += 1;
    const schema = `cli_bf_${counter}`;
    const dir = await makeProject({
      [`${ID}.ts`]: migrationSource({
        backfill: {
          backfill: { table: 'busy', set: 'v2 = v * 2', where: 'v2 IS NULL', maxRowsPerSecond: 10_000 },
          verify: 'SELECT count(*) FROM busy WHERE v2 IS DISTINCT FROM v * 2',
        },
      }),
    });
    const runner = startCli(['advance', '--json'], { cwd: dir, env: { DATABASE_URL: db.url, PHASEGATE_SCHEMA: schema } });
    let running = true;
    void runner.done.then(() => (running = false));
    const increments = new Map<number, number>();
    const inserted: number[] = [];
    const errors: unknown[] = [];
    const latencies: number[] = [];
    const writer = async (): Promise<void> => {
      const client = await db.connect();
      for (let op = 0; running; op += 1) {
        const started = performance.now();
        try {
          if (op % 5 === 4) {
            const { rows } = await client.query<{ id: string }>('INSERT INTO busy (v) VALUES (0) RETURNING id');
            inserted.push(Number(rows[0]?.id));
          } else {
            const id = 1 + Math.floor(Math.random() * 20_000);
            const result = await client.query('UPDATE busy SET v = v + 1 WHERE id = $1', [id]);
            if (result.rowCount === 1) increments.set(id, (increments.get(id) ?? 0) + 1);
          }
        } catch (error) {
          errors.push(error);
        }
        latencies.push(performance.now() - started);
      }
    };
    await Promise.all([writer(), writer(), writer()]);
    const result = await runner.done;
    expect(result.code).toBe(0);
    expect(errors).toEqual([]);
    expect(latencies.length).toBeGreaterThan(100); // the writers really ran alongside
    expect(Math.max(...latencies)).toBeLessThan(2_000);
    const { rows } = await db.client.query<{ id: string; v: number }>('SELECT id, v FROM busy WHERE id <= 20000');
    const lost = rows.filter((r) => r.v !== (increments.get(Number(r.id)) ?? 0));
    expect(lost).toEqual([]);
    expect(await scalar('SELECT count(*) AS n FROM busy')).toBe(20_000 + inserted.length);
    expect(await scalar('SELECT count(*) AS n FROM busy WHERE v2 IS DISTINCT FROM v * 2')).toBe(0);
  });
});
