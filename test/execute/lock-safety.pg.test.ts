import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { advance, type ExecutionPolicy } from '../../src/execute/index.js';
import { buildMigration, type Migration } from '../../src/plan/index.js';
import { useTestDatabase } from '../support/database.js';
import { testPolicy } from '../support/policy.js';

const db = useTestDatabase();
let n = 0;
const schema = (): string => `lock_state_${(n += 1)}`;
const m = (id: string, def: object): Migration => buildMigration(id, `migrations/${id}.ts`, def);
const policy = (overrides: Partial<ExecutionPolicy> = {}): ExecutionPolicy => ({
  ...testPolicy,
  timeouts: { lockTimeoutMs: 300, statementTimeoutMs: 10_000 },
  lockRetries: 6,
  ...overrides,
});

/** Opens a transaction on another connection that holds `mode` on `table` until released. */
async function holdLock(table: string, mode: string): Promise<{ client: pg.Client; release: () => Promise<void> }> {
  const client = await db.connect();
  await client.query(`SET application_name = 'test-blocker'`);
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN ${mode} MODE`);
  return { client, release: async () => void (await client.query('COMMIT')) };
}

describe('lock-bounded execution', () => {
  it('retries a step that times out behind a short transaction, and succeeds once it commits', async () => {
    await db.client.query('CREATE TABLE retry_me (id int)');
    const blocker = await holdLock('retry_me', 'ACCESS SHARE');
    // Let the first attempt queue and time out, then commit: whatever the machine's speed, the step needs a retry.
    const watcher = await db.connect();
    const releaseAfterFirstTimeout = (async () => {
      const waiting = async (): Promise<boolean> =>
        (await watcher.query("SELECT 1 FROM pg_locks WHERE relation = 'retry_me'::regclass AND NOT granted")).rowCount !== 0;
      while (!(await waiting())) await new Promise((r) => setTimeout(r, 20));
      while (await waiting()) await new Promise((r) => setTimeout(r, 20));
      await blocker.release();
    })();
    const result = await advance({ db: db.client, schema: schema(), migrations: [m('1_a', { expand: { sql: 'ALTER TABLE retry_me ADD COLUMN a int' } })], policy: policy() });
    await releaseAfterFirstTimeout;
    expect(result.stoppedAt).toBeNull();
    const { rows } = await db.client.query<{ attempts: number }>(`SELECT attempts FROM ${`lock_state_${n}`}.steps`);
    expect(rows[0]?.attempts).toBeGreaterThan(1);
  });

  it('never queues a concurrent reader for longer than the lock timeout plus a small margin', async () => {
    await db.client.query('CREATE TABLE busy (id int); INSERT INTO busy VALUES (1)');
    const blocker = await holdLock('busy', 'ACCESS SHARE');
    const reader = await db.connect();
    const latencies: number[] = [];
    let reading = true;
    const readLoop = (async () => {
      while (reading) {
        const started = performance.now();
        await reader.query('SELECT count(*) FROM busy');
        latencies.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const result = await advance({
      db: db.client,
      schema: schema(),
      migrations: [m('1_a', { expand: { sql: 'ALTER TABLE busy ADD COLUMN a int' } })],
      policy: policy({ lockRetries: 4 }),
    });
    reading = false;
    await readLoop;
    await blocker.release();
    expect(result.stoppedAt).toMatchObject({ reason: 'error' });
    // The ALTER waited in the lock queue in 4 attempts; readers behind it waited at most one lock timeout each.
    expect(latencies.length).toBeGreaterThan(10);
    expect(Math.max(...latencies)).toBeGreaterThan(100); // readers really did queue behind the ALTER...
    expect(Math.max(...latencies)).toBeLessThan(300 + 250); // ...but never longer than lock_timeout + margin
  });

  it('names the blocking session when it gives up waiting for a lock', async () => {
    await db.client.query('CREATE TABLE held (id int)');
    const blocker = await holdLock('held', 'ROW EXCLUSIVE');
    await blocker.client.query('SELECT 42 AS answer_from_blocker');
    const result = await advance({
      db: db.client,
      schema: schema(),
      migrations: [m('1_a', { expand: { sql: 'ALTER TABLE held ADD COLUMN a int' } })],
      policy: policy({ lockRetries: 2 }),
    });
    await blocker.release();
    const { rows } = await blocker.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(result.stoppedAt?.reason).toBe('error');
    expect(result.stoppedAt?.detail).toContain('after 2 attempts waiting 300ms each for its lock');
    expect(result.stoppedAt?.detail).toContain(`pid ${rows[0]?.pid} (application_name "test-blocker", idle in transaction`);
    expect(result.stoppedAt?.detail).toContain('SELECT 42 AS answer_from_blocker');
  });

  it('refuses in preflight while a long transaction holds a conflicting lock, naming its pid', async () => {
    await db.client.query('CREATE TABLE long_tx (id int)');
    const blocker = await holdLock('long_tx', 'ACCESS SHARE');
    await new Promise((r) => setTimeout(r, 600));
    const result = await advance({
      db: db.client,
      schema: schema(),
      migrations: [m('1_a', { expand: { sql: 'ALTER TABLE long_tx ADD COLUMN a int' } })],
      policy: policy({ preflight: { maxTransactionAgeMs: 400, waitMs: 600 } }),
    });
    const { rows } = await blocker.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await blocker.release();
    expect(result.stoppedAt).toMatchObject({ reason: 'refused', phase: 'expand' });
    expect(result.stoppedAt?.detail).toContain(`pid ${rows[0]?.pid}`);
    expect(result.stoppedAt?.detail).toContain('refused by preflight');
    const { rows: cols } = await db.client.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'long_tx' AND column_name = 'a'");
    expect(cols).toEqual([]);
  });

  it('drops the INVALID index a failed concurrent build left before building it again', async () => {
    await db.client.query('CREATE TABLE dupes (id int PRIMARY KEY, v int); INSERT INTO dupes VALUES (1, 7), (2, 7)');
    const s = schema();
    const migrations = [m('1_a', { expand: { steps: [{ sql: 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS dupes_v_key ON dupes (v)', transaction: false }] } })];
    const failed = await advance({ db: db.client, schema: s, migrations, policy: policy() });
    expect(failed.stoppedAt).toMatchObject({ reason: 'error', detail: expect.stringContaining('could not create unique index') });
    const invalid = await db.client.query("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('dupes_v_key')");
    expect(invalid.rows).toEqual([{ indisvalid: false }]);

    await db.client.query('DELETE FROM dupes WHERE id = 2');
    expect((await advance({ db: db.client, schema: s, migrations, policy: policy() })).stoppedAt).toBeNull();
    const valid = await db.client.query("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('dupes_v_key')");
    expect(valid.rows).toEqual([{ indisvalid: true }]);
  });
});

describe('query-plan checks', () => {
  const small = (): ExecutionPolicy => policy({ planCheck: { seqScanBytes: 64 * 1024 } });

  it('refuses a DML step that would seq-scan a large table, naming node and table, and accepts an indexed one', async () => {
    await db.client.query(`
      CREATE TABLE wide (id int PRIMARY KEY, unindexed int, v int);
      INSERT INTO wide SELECT i, i % 100, 0 FROM generate_series(1, 20000) i;
      ANALYZE wide;`);
    const s = schema();
    const refused = await advance({ db: db.client, schema: s, migrations: [m('1_a', { backfill: { sql: 'UPDATE wide SET v = 1 WHERE unindexed = 5' } })], policy: small() });
    expect(refused.stoppedAt).toMatchObject({ reason: 'refused', detail: expect.stringContaining('a Seq Scan on public.wide (') });
    const { rows } = await db.client.query<{ n: string }>('SELECT count(*) AS n FROM wide WHERE v = 1');
    expect(rows[0]?.n).toBe('0');
    const accepted = await advance({ db: db.client, schema: schema(), migrations: [m('1_a', { backfill: { sql: 'UPDATE wide SET v = 1 WHERE id BETWEEN 5 AND 10' } })], policy: small() });
    expect(accepted.stoppedAt).toBeNull();
  });

  it('refuses a verify query that would seq-scan a large table', async () => {
    const result = await advance({
      db: db.client,
      schema: schema(),
      migrations: [m('1_a', { expand: { verify: 'SELECT count(*) FROM wide WHERE unindexed = 1000' } })],
      policy: small(),
    });
    expect(result.stoppedAt).toMatchObject({ reason: 'refused', detail: expect.stringContaining('verify: refused by the query-plan check') });
  });
});
