import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, migrationSource, runCli, startCli } from '../support/cli.js';
import { acquireRunnerLock, ensureStateSchema, recordRunner, releaseRunnerLock } from '../../src/state/index.js';
import { useTestDatabase } from '../support/database.js';
import { until } from '../support/until.js';

const db = useTestDatabase();
let counter = 0;
const next = (): string => `runner_${(counter += 1)}`;
const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

async function project(migrations: Record<string, string>, config: object = {}): Promise<string> {
  const dir = await makeProject(migrations);
  await writeFile(path.join(dir, 'phasegate.config.json'), JSON.stringify(config));
  return dir;
}

describe('the runner lock', () => {
  it('records the runner in place of rows left by killed runners (its own pid among them when the server gave it again), and forgets it as it lets go', async () => {
    const schema = next();
    await ensureStateSchema(db.client, schema);
    expect(await acquireRunnerLock(db.client, schema, 0)).toBe(true);
    const { rows: me } = await db.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = me[0]?.pid ?? 0;
    await db.client.query(
      `INSERT INTO ${schema}.runner (backend_pid, application_name, started_at, beat_at, interval_ms)
       VALUES ($1, 'killed runner', now() - interval '1 day', now() - interval '1 day', 5000), ($1 + 1, 'another killed runner', now() - interval '1 day', now() - interval '1 day', 5000)`,
      [pid],
    );
    expect(await recordRunner(db.client, schema, 250)).toBe(pid);
    const { rows } = await db.client.query(`SELECT backend_pid, application_name, now() - started_at < interval '1 minute' AS fresh, interval_ms FROM ${schema}.runner`);
    const { rows: app } = await db.client.query<{ name: string }>("SELECT current_setting('application_name') AS name");
    expect(rows).toEqual([{ backend_pid: pid, application_name: app[0]?.name, fresh: true, interval_ms: 250 }]);
    await releaseRunnerLock(db.client, schema, true);
    expect((await db.client.query(`SELECT count(*)::int AS n FROM ${schema}.runner`)).rows[0]?.n).toBe(0);
    const nextRunner = await db.connect();
    expect(await acquireRunnerLock(nextRunner, schema, 0)).toBe(true);
    await releaseRunnerLock(nextRunner, schema, false); // later tests wait for no runner lock at all in this database
  });

  it('lets advance --wait wait for a runner that builds an index concurrently, then succeed (no deadlock)', async () => {
    const schema = next();
    // An index whose build takes about five seconds (each key costs 10ms), so the second runner starts while it runs.
    await db.client.query(`
      CREATE FUNCTION slow_key(int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.01); RETURN $1; END $$;
      CREATE TABLE built (id int PRIMARY KEY); INSERT INTO built SELECT generate_series(1, 500);`);
    const dir = await project({
      '1_cic.ts': migrationSource({ expand: { steps: [{ sql: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS built_slow ON built (slow_key(id))', transaction: false }] } }),
    });
    const env = { DATABASE_URL: db.url, PHASEGATE_SCHEMA: schema };
    const first = startCli(['advance', '--json'], { cwd: dir, env });
    await until(async () => (await db.client.query(`SELECT 1 FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%' AND state = 'active'`)).rowCount === 1);
    const second = await runCli(['advance', '--wait', '30s', '--json'], { cwd: dir, env });
    const firstResult = await first.done;
    expect(firstResult.stdout + firstResult.stderr + second.stdout + second.stderr).not.toContain('deadlock');
    expect(firstResult.code).toBe(0);
    expect(json(firstResult.stdout)).toMatchObject({ ran: [{ migration: '1_cic', phase: 'expand' }] });
    expect(second.code).toBe(0);
    expect(json(second.stdout)).toMatchObject({ ran: [], stoppedAt: null });
    expect((await db.client.query(`SELECT 1 FROM pg_index WHERE indexrelid = 'built_slow'::regclass AND indisvalid`)).rowCount).toBe(1);
  });

  it('names a frozen runner to the next one (exit 5: pid, application_name, how to end it), and status says stalled with no ETA', async () => {
    const schema = next();
    await db.client.query('CREATE TABLE paced (id int PRIMARY KEY, n int NOT NULL DEFAULT 0); INSERT INTO paced (id) SELECT generate_series(1, 2000)');
    const dir = await project(
      { '1_bf.ts': migrationSource({ backfill: { backfill: { table: 'paced', set: 'n = n + 1', batchSize: 100, maxRowsPerSecond: 400 } } }) },
      { connection: { heartbeatInterval: '100ms' } },
    );
    const env = { DATABASE_URL: db.url, PHASEGATE_SCHEMA: schema };
    const frozen = startCli(['advance'], { cwd: dir, env });
    try {
      await until(async () => {
        const { rows } = await db.client.query<{ batches: number }>(`SELECT batches FROM ${schema}.backfills`).catch(() => ({ rows: [] }));
        return (rows[0]?.batches ?? 0) >= 2;
      });
      const running = json((await runCli(['status', '--json'], { cwd: dir, env })).stdout);
      expect(running['runner']).toMatchObject({ applicationName: 'phasegate', stalledSince: null, lastBeatAt: expect.any(String) });
      const { pid } = running['runner'] as { pid: number };

      frozen.child.kill('SIGSTOP');
      await new Promise((r) => setTimeout(r, 600)); // more than three missed beats

      const second = await runCli(['advance', '--json'], { cwd: dir, env });
      expect(second.code).toBe(5);
      const detail = (json(second.stdout)['stoppedAt'] as { detail: string }).detail;
      expect(detail).toContain(`pid ${pid} (application_name "phasegate"`);
      expect(detail).toContain('stalled since');
      expect(detail).toContain(`SELECT pg_terminate_backend(${pid})`);

      const stalled = json((await runCli(['status', '--json'], { cwd: dir, env })).stdout);
      expect(stalled['runner']).toMatchObject({ pid, stalledSince: expect.any(String) });
      const phase = (stalled['migrations'] as { phases: { phase: string; stalledSince: string | null; backfill?: { etaMs: number | null } }[] }[])[0]?.phases.find(
        (p) => p.phase === 'backfill',
      );
      expect(phase).toMatchObject({ stalledSince: expect.any(String), backfill: { etaMs: null } });
      const text = await runCli(['status'], { cwd: dir, env });
      expect(text.stdout).toContain('stalled since');
      expect(text.stdout).toContain(`SELECT pg_terminate_backend(${pid})`);
      expect(text.stdout).not.toContain('ETA');
    } finally {
      frozen.child.kill('SIGKILL');
      await frozen.done;
    }
  });

  it("frees the lock of a frozen runner once its idle session times out, so the next runner finishes the backfill", async () => {
    const schema = next();
    await db.client.query('CREATE TABLE idled (id int PRIMARY KEY, n int NOT NULL DEFAULT 0); INSERT INTO idled (id) SELECT generate_series(1, 1000)');
    const dir = await project(
      { '1_bf.ts': migrationSource({ backfill: { backfill: { table: 'idled', set: 'n = n + 1', batchSize: 100, maxRowsPerSecond: 500 } } }) },
      { connection: { idleSessionTimeout: '1s', idleInTransactionTimeout: '1s' } },
    );
    const env = { DATABASE_URL: db.url, PHASEGATE_SCHEMA: schema };
    const frozen = startCli(['advance'], { cwd: dir, env });
    try {
      await until(async () => {
        const { rows } = await db.client.query<{ batches: number }>(`SELECT batches FROM ${schema}.backfills`).catch(() => ({ rows: [] }));
        return (rows[0]?.batches ?? 0) >= 1;
      });
      frozen.child.kill('SIGSTOP');
      await until(async () => (await db.client.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)).rowCount === 0, 10_000);
      const second = await runCli(['advance', '--json'], { cwd: dir, env });
      expect(second.code).toBe(0);
      expect(json(second.stdout)).toMatchObject({ ran: [{ migration: '1_bf', phase: 'backfill' }], stoppedAt: null });
      expect((await db.client.query('SELECT 1 FROM idled WHERE n <> 1')).rowCount).toBe(0);
    } finally {
      frozen.child.kill('SIGKILL');
      await frozen.done;
    }
  });
});
