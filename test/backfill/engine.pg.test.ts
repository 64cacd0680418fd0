import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { BackfillProgress } from '../../src/backfill/index.js';
import { advance, setBackfillPaused, status, type AdvanceOptions } from '../../src/execute/index.js';
import { buildMigration, type BackfillTuning, type Migration } from '../../src/plan/index.js';
import { useTestDatabase } from '../support/database.js';
import { testPolicy } from '../support/policy.js';
import { batchCall, startStatementCounter } from '../support/statement-counter.js';
import { until } from '../support/until.js';

const db = useTestDatabase();
let schemaCounter = 0;
const freshSchema = (): string => `bf_${(schemaCounter += 1)}`;
const m = (def: object): Migration => buildMigration('1_bf', 'migrations/1_bf.ts', { backfill: def });

function run(schema: string, migrations: Migration[], tuning: BackfillTuning = {}, extra: Partial<AdvanceOptions> = {}) {
  return advance({ db: db.client, schema, migrations, policy: { ...testPolicy, backfill: { throttleCheckInterval: 50, ...tuning } }, ...extra });
}

async function scalar(sql: string): Promise<number> {
  const { rows } = await db.client.query<{ n: string | number }>(sql);
  return Number(rows[0]?.n);
}

async function backfillStatus(schema: string, migrations: Migration[]) {
  const st = await status(db.client, schema, migrations);
  return st.migrations[0]?.phases.find((p) => p.phase === 'backfill')?.backfill;
}

describe('backfill engine', () => {
  it('walks a three-column key exactly once, and a unique NOT NULL key when there is no primary key', async () => {
    await db.client.query(`
      CREATE TABLE tri (region text, tenant int, id int, counter int NOT NULL DEFAULT 0, PRIMARY KEY (region, tenant, id));
      INSERT INTO tri (region, tenant, id) SELECT r, t, i FROM unnest(ARRAY['eu', 'us', 'ap ''x''']) r, generate_series(1, 4) t, generate_series(1, 60) i;
      CREATE TABLE nopk (code text NOT NULL, counter int NOT NULL DEFAULT 0, other int UNIQUE);
      CREATE UNIQUE INDEX nopk_code ON nopk (code);
      INSERT INTO nopk (code, other) SELECT 'c' || i, CASE WHEN i % 2 = 0 THEN i END FROM generate_series(1, 500) i;`);
    const progress: BackfillProgress[] = [];
    const tri = await run(freshSchema(), [m({ backfill: { table: 'tri', set: 'counter = counter + 1', batchSize: 97 } })], {}, { onProgress: (p) => progress.push(p) });
    expect(tri.stoppedAt).toBeNull();
    expect(await scalar('SELECT count(*) AS n FROM tri WHERE counter <> 1')).toBe(0);
    expect(progress.filter((p) => p.activity.kind === 'running').map((p) => p.rowsScanned).at(-1)).toBe(720);
    const nopk = await run(freshSchema(), [m({ backfill: { table: 'nopk', set: 'counter = counter + 1', batchSize: 64 } })]);
    expect(nopk.stoppedAt).toBeNull();
    expect(await scalar('SELECT count(*) AS n FROM nopk WHERE counter <> 1')).toBe(0);
  });

  it('cuts a dense integer key into ranges of values without walking it, walks where the keys thin out, and updates each row once', async () => {
    // Dense ids, then ids a trillion apart (as snowflake ids are), then dense ids near the top of bigint.
    await db.client.query(`
      CREATE TABLE spread (id bigint PRIMARY KEY, counter int NOT NULL DEFAULT 0, note text);
      INSERT INTO spread (id) SELECT generate_series(1, 3000);
      INSERT INTO spread (id) SELECT i * 1000000000000 FROM generate_series(1, 2000) i;
      INSERT INTO spread (id) SELECT 9223372036854770000 + i FROM generate_series(1, 3000) i;`);
    const walks: string[] = [];
    const recording = new Proxy(db.client, {
      get(target, name) {
        if (name !== 'query') return Reflect.get(target, name, target) as unknown;
        return (text: unknown, values?: unknown[]) => {
          if (typeof text === 'string' && /^\s*SELECT\b[\s\S]*\bAS last_key\b/.test(text)) walks.push(text);
          return target.query(text as string, values);
        };
      },
    });
    const progress: BackfillProgress[] = [];
    const spread = await run(freshSchema(), [m({ backfill: { table: 'spread', set: 'counter = counter + 1', batchSize: 200 } })], {}, { db: recording, onProgress: (p) => progress.push(p) });
    expect(spread.stoppedAt).toBeNull();
    expect(await scalar('SELECT count(*) AS n FROM spread WHERE counter <> 1')).toBe(0);
    const last = progress.filter((p) => p.activity.kind === 'running').at(-1);
    expect(last?.rowsScanned).toBe(8000); // rows, not key values
    // 40 batches of 200 rows, and a few that cross from one stretch to the next; ranges of values in the sparse stretch would never end.
    expect(last?.batches).toBeGreaterThanOrEqual(40);
    expect(last?.batches).toBeLessThanOrEqual(46);
    // The sparse stretch is walked (10 batches and its edges); the 30 dense batches are not.
    expect(walks.length).toBeGreaterThanOrEqual(10);
    expect(walks.length).toBeLessThanOrEqual(16);

    // With a \`where\`, the UPDATE counts only the rows it changes, so every batch walks.
    await db.client.query(`UPDATE spread SET note = NULL`);
    walks.length = 0;
    const filtered = await run(freshSchema(), [m({ backfill: { table: 'spread', set: "note = 'x'", where: 'note IS NULL', batchSize: 500 } })], {}, { db: recording });
    expect(filtered.stoppedAt).toBeNull();
    expect(await scalar("SELECT count(*) AS n FROM spread WHERE note IS DISTINCT FROM 'x'")).toBe(0);
    expect(walks.length).toBeGreaterThanOrEqual(16);
  });

  it('commits batches without waiting for their WAL flush, and leaves the session as it found it for the steps after', async () => {
    await db.client.query(`
      CREATE TABLE flushed (id int PRIMARY KEY, n int NOT NULL DEFAULT 0, seen text);
      INSERT INTO flushed (id) SELECT generate_series(1, 300);
      CREATE FUNCTION note_commit_mode() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.seen := current_setting('synchronous_commit') || ' ' || current_setting('TimeZone'); RETURN NEW; END $$;
      CREATE TRIGGER note BEFORE UPDATE ON flushed FOR EACH ROW EXECUTE FUNCTION note_commit_mode();
      SET TimeZone = 'Asia/Tokyo';
      SET statement_timeout = '25s';`);
    const settings = "SELECT current_setting('synchronous_commit') || ' ' || current_setting('TimeZone') || ' ' || current_setting('statement_timeout') AS n";
    const before = (await db.client.query<{ n: string }>(settings)).rows[0]?.n;
    const result = await run(freshSchema(), [m({ backfill: { table: 'flushed', set: 'n = n + 1', batchSize: 50, statementTimeout: 7_000 } })]);
    expect(result.stoppedAt).toBeNull();
    expect((await db.client.query('SELECT DISTINCT seen FROM flushed')).rows).toEqual([{ seen: 'off UTC' }]);
    expect((await db.client.query<{ n: string }>(settings)).rows[0]?.n).toBe(before);
    await db.client.query('RESET TimeZone; RESET statement_timeout');
  });

  it('refuses a table without a primary key or unique NOT NULL key before the first batch, and says why', async () => {
    await db.client.query(`CREATE TABLE keyless (code text UNIQUE, n int); INSERT INTO keyless SELECT 'c' || i, 0 FROM generate_series(1, 50) i`);
    const result = await run(freshSchema(), [m({ backfill: { table: 'keyless', set: 'n = n + 1' } })]);
    expect(result.stoppedAt).toMatchObject({ reason: 'refused', detail: expect.stringContaining('public.keyless has no primary key and no unique index on NOT NULL columns') });
    expect(await scalar('SELECT count(*) AS n FROM keyless WHERE n <> 0')).toBe(0);
  });

  it('grows the batch size on an idle table and shrinks it when a trigger makes rows slow', async () => {
    await db.client.query(`
      CREATE TABLE grow (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);
      INSERT INTO grow (id) SELECT generate_series(1, 20000);`);
    const sizes: number[] = [];
    const grown = await run(freshSchema(), [m({ backfill: { table: 'grow', set: 'n = n + 1', minBatchSize: 10, targetBatchDuration: 80 } })], {}, {
      policy: { ...testPolicy, backfillBatchSize: 20 },
      onProgress: (p) => sizes.push(p.batchSize),
    });
    expect(grown.stoppedAt).toBeNull();
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(20 * 16); // doubled at least four times

    await db.client.query(`
      CREATE TABLE shrink (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);
      INSERT INTO shrink (id) SELECT generate_series(1, 5000);
      CREATE FUNCTION slow_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.001); RETURN NEW; END $$;
      CREATE TRIGGER slow BEFORE UPDATE ON shrink FOR EACH ROW EXECUTE FUNCTION slow_row();`);
    const controller = new AbortController();
    const slow: BackfillProgress[] = [];
    const shrunk = await run(freshSchema(), [m({ backfill: { table: 'shrink', set: 'n = n + 1', targetBatchDuration: 50 } })], {}, {
      policy: { ...testPolicy, backfillBatchSize: 400 },
      signal: controller.signal,
      onProgress: (p) => {
        slow.push(p);
        if (p.batches === 6) controller.abort();
      },
    });
    expect(shrunk.stoppedAt).toMatchObject({ reason: 'backfill-in-progress' });
    expect(slow[0]?.rowsScanned).toBe(400);
    expect(slow.at(-1)?.batchSize).toBeLessThanOrEqual(100); // ~1 ms a row, 50 ms a batch
  });

  it('sizes batches for their own work when the runner is far from the server: a batch and its checkpoint are one round trip', async () => {
    await db.client.query(`
      CREATE TABLE distant (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);
      INSERT INTO distant (id) SELECT generate_series(1, 20000);`);
    // 120 ms a round trip against a 100 ms target: a batch timed with its round trips (BEGIN, UPDATE, checkpoint,
    // COMMIT, or even one) would never fit, and sizing would halve it again and again for no row's sake.
    const proxy = await startStatementCounter(db.url, { delayMs: 60 });
    const distantClient = new pg.Client({ connectionString: proxy.url });
    await distantClient.connect();
    try {
      const progress: BackfillProgress[] = [];
      const result = await run(freshSchema(), [m({ backfill: { table: 'distant', set: 'n = n + 1', targetBatchDuration: 100 } })], {}, {
        db: distantClient,
        policy: { ...testPolicy, backfillBatchSize: 1000 },
        onProgress: (p) => progress.push(p),
      });
      const sizes = progress.filter((p) => p.activity.kind === 'running').map((p) => p.batchSize);
      expect(result.stoppedAt).toBeNull();
      expect(await scalar('SELECT count(*) AS n FROM distant WHERE n <> 1')).toBe(0);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1000);
      expect(Math.max(...sizes)).toBeGreaterThan(1000);
      // Each batch one statement with its checkpoint: no transaction keeps the rows locked across the network.
      expect(proxy.statements.filter(batchCall)).toHaveLength(sizes.length);
      const duringBatches = proxy.statements.slice(proxy.statements.findIndex(batchCall), proxy.statements.findLastIndex(batchCall) + 1);
      expect(duringBatches.filter((sql) => /^(BEGIN|COMMIT)$/.test(sql.trim()))).toEqual([]);
    } finally {
      await distantClient.end();
      await proxy.close();
    }
  });

  it('backfills a table with a rule on UPDATE (which a data-modifying CTE would refuse) one statement a batch, the rule running once a row', async () => {
    await db.client.query(`
      CREATE TABLE ruled (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);
      CREATE TABLE ruled_audit (id int NOT NULL);
      INSERT INTO ruled (id) SELECT generate_series(1, 1000);
      CREATE RULE audit_n AS ON UPDATE TO ruled DO ALSO INSERT INTO ruled_audit (id) VALUES (NEW.id);`);
    const counter = await startStatementCounter(db.url);
    const client = new pg.Client({ connectionString: counter.url });
    await client.connect();
    let result;
    try {
      result = await run(freshSchema(), [m({ backfill: { table: 'ruled', set: 'n = n + 1', batchSize: 300 } })], {}, { db: client });
    } finally {
      await client.end();
      await counter.close();
    }
    expect(result.stoppedAt).toBeNull();
    expect(counter.statements.filter(batchCall)).toHaveLength(4);
    expect(counter.statements.filter((sql) => sql.includes('UPDATE public.ruled SET') && !batchCall(sql))).toEqual([]);
    expect(await scalar('SELECT count(*) AS n FROM ruled WHERE n <> 1')).toBe(0);
    expect(await scalar('SELECT count(*) AS n FROM (SELECT id FROM ruled_audit GROUP BY id HAVING count(*) = 1) AS once')).toBe(1000);
  });

  it('splits a batch that hits the statement timeout, and fails with the key range after bounded attempts', async () => {
    await db.client.query(`
      CREATE TABLE split (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);
      INSERT INTO split (id) SELECT generate_series(1, 100);
      CREATE FUNCTION stuck_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.id = 42 THEN PERFORM pg_sleep(0.3); END IF; RETURN NEW; END $$;
      CREATE TRIGGER stuck BEFORE UPDATE ON split FOR EACH ROW EXECUTE FUNCTION stuck_row();`);
    const result = await run(freshSchema(), [m({ backfill: { table: 'split', set: 'n = n + 1', statementTimeout: 100, maxBatchFailures: 3 } })]);
    expect(result.stoppedAt).toMatchObject({ reason: 'error', error: { code: 'STEP_FAILED' } });
    const range = /on the batch \(id\) > \((\d+)\) and \(id\) <= \((\d+)\) \((at most )?\d+ rows\) after 3 attempt\(s\): canceling statement due to statement timeout \(SQLSTATE 57014\)/.exec(
      result.stoppedAt?.detail ?? '',
    );
    const [lower, upper] = [Number(range?.[1]), Number(range?.[2])];
    expect(lower).toBeLessThan(42);
    expect(upper).toBeGreaterThanOrEqual(42);
    expect(lower).toBeGreaterThan(1); // halved batches got through up to the stuck row
    expect(await scalar(`SELECT count(*) AS n FROM split WHERE id <= ${lower} AND n = 1`)).toBe(lower);
    expect(await scalar(`SELECT count(*) AS n FROM split WHERE id > ${lower} AND n <> 0`)).toBe(0);
  });

  it('waits while the health query says false, says why in progress and status, and resumes by itself', async () => {
    const schema = freshSchema();
    await db.client.query(`
      CREATE TABLE healthy (ok boolean NOT NULL); INSERT INTO healthy VALUES (false);
      CREATE TABLE hq (id int PRIMARY KEY, n int NOT NULL DEFAULT 0); INSERT INTO hq (id) SELECT generate_series(1, 300);`);
    const migrations = [m({ backfill: { table: 'hq', set: 'n = n + 1', healthQuery: 'SELECT ok FROM healthy' } })];
    const activities: string[] = [];
    // The runner gets its own session: the test's queries below must not land inside its transactions.
    const runner = await db.connect();
    const running = run(schema, migrations, {}, { db: runner, onProgress: (p) => activities.push(p.activity.kind === 'waiting' ? p.activity.reason : p.activity.kind) });
    await until(async () => (await backfillStatus(schema, migrations))?.throttle !== null && (await backfillStatus(schema, migrations))?.throttle !== undefined);
    expect((await backfillStatus(schema, migrations))?.throttle).toBe('health query: returned false');
    expect(await scalar('SELECT count(*) AS n FROM hq WHERE n <> 0')).toBe(0);
    await db.client.query('UPDATE healthy SET ok = true');
    expect((await running).stoppedAt).toBeNull();
    expect(activities.slice(0, 2)).toEqual(['health query: returned false', 'running']);
    expect(await scalar('SELECT count(*) AS n FROM hq WHERE n <> 1')).toBe(0);
    expect(await backfillStatus(schema, migrations)).toMatchObject({ rowsDone: 300, throttle: null, finishedAt: expect.any(String) });
    const { rows: events } = await db.client.query<{ kind: string; detail: object }>(`SELECT kind, detail FROM ${schema}.events WHERE kind LIKE 'backfill%' ORDER BY id`);
    expect(events).toEqual([
      { kind: 'backfillWaiting', detail: { throttle: 'healthQuery', reason: 'health query: returned false' } },
      { kind: 'backfillGoing', detail: {} },
    ]);
  });

  it('waits while a transaction is older than the limit, naming its pid, and goes on once it ends', async () => {
    const schema = freshSchema();
    await db.client.query('CREATE TABLE lt (id int PRIMARY KEY, n int NOT NULL DEFAULT 0); INSERT INTO lt (id) SELECT generate_series(1, 300);');
    const holder = await db.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1');
    const { rows } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await new Promise((r) => setTimeout(r, 300)); // older than the limit before the first check
    const migrations = [m({ backfill: { table: 'lt', set: 'n = n + 1' } })];
    const running = run(schema, migrations, { maxTransactionAge: 200 }, { db: await db.connect() });
    await until(async () => (await backfillStatus(schema, migrations))?.throttle?.startsWith('transaction of pid') === true);
    expect((await backfillStatus(schema, migrations))?.throttle).toMatch(new RegExp(`^transaction of pid ${rows[0]?.pid} .*open for .*longer than 200ms`));
    expect(await scalar('SELECT count(*) AS n FROM lt WHERE n <> 0')).toBe(0);
    await holder.query('COMMIT');
    expect((await running).stoppedAt).toBeNull();
    expect(await scalar('SELECT count(*) AS n FROM lt WHERE n <> 1')).toBe(0);
  });

  it('keeps to the maximum rate and sleeps the configured fraction of each batch', async () => {
    await db.client.query(`
      CREATE TABLE paced (id int PRIMARY KEY, n int NOT NULL DEFAULT 0); INSERT INTO paced (id) SELECT generate_series(1, 600);
      CREATE TABLE nice (id int PRIMARY KEY, n int NOT NULL DEFAULT 0); INSERT INTO nice (id) SELECT generate_series(1, 500);
      CREATE FUNCTION slow_batch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.03); RETURN NULL; END $$;
      CREATE TRIGGER slow AFTER UPDATE ON nice FOR EACH STATEMENT EXECUTE FUNCTION slow_batch();`);
    let started = performance.now();
    await run(freshSchema(), [m({ backfill: { table: 'paced', set: 'n = n + 1', batchSize: 100, maxRowsPerSecond: 1000 } })]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(500); // 600 rows at 1000/s, the last batch not waited for
    started = performance.now();
    await run(freshSchema(), [m({ backfill: { table: 'nice', set: 'n = n + 1', batchSize: 100, sleepFraction: 3 } })]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(5 * 30 * 4 - 30); // five batches of 30 ms, each followed by 90 ms
  });

  it('runs another pass when verification still counts rows, and fails with the count after the limit', async () => {
    const schema = freshSchema();
    await db.client.query(`
      CREATE TABLE late (id serial PRIMARY KEY, src int NOT NULL, copy int);
      INSERT INTO late (src) SELECT i FROM generate_series(1, 1000) i;`);
    const migrations = [m({ backfill: { table: 'late', set: 'copy = src', where: 'copy IS NULL', batchSize: 100, maxRowsPerSecond: 5000 } })];
    const inserter = await db.connect();
    let inserted: Promise<unknown> | undefined;
    const progress: BackfillProgress[] = [];
    const result = await run(schema, migrations, {}, {
      onProgress: (p) => {
        progress.push(p);
        // Written after the upper key was taken, with no dual-write trigger: only a second pass finds them.
        if (p.batches === 1 && p.pass === 1) inserted ??= inserter.query('INSERT INTO late (src) SELECT i FROM generate_series(1, 50) i');
      },
    });
    await inserted;
    expect(result.stoppedAt).toBeNull();
    expect(progress.at(-1)?.pass).toBe(2);
    expect(await scalar('SELECT count(*) AS n FROM late WHERE copy IS DISTINCT FROM src')).toBe(0);

    await db.client.query(`CREATE TABLE unfixable (id int PRIMARY KEY, src int, copy int); INSERT INTO unfixable SELECT i, CASE WHEN i % 10 <> 0 THEN i END FROM generate_series(1, 200) i`);
    const failed = await run(freshSchema(), [m({ backfill: { table: 'unfixable', set: 'copy = src', where: 'copy IS NULL', verifyPasses: 2 } })]);
    expect(failed.stoppedAt).toMatchObject({ reason: 'error', error: { code: 'VERIFY_FAILED' } });
    expect(failed.stoppedAt?.detail).toContain('verify returned 20 (expected 0): after 2 pass(es) over unfixable');
  });

  it('holds a backfill paused before it starts until resumed; a time budget still ends the wait', async () => {
    const schema = freshSchema();
    await db.client.query('CREATE TABLE held (id int PRIMARY KEY, n int NOT NULL DEFAULT 0); INSERT INTO held (id) SELECT generate_series(1, 200);');
    const migrations = [m({ backfill: { table: 'held', set: 'n = n + 1' } })];
    await setBackfillPaused(db.client, schema, migrations, '1_bf', true, 'alice');
    const budget = await run(schema, migrations, {}, { timeBudgetMs: 300 });
    expect(budget.stoppedAt).toMatchObject({ reason: 'backfill-in-progress' });
    expect(await scalar('SELECT count(*) AS n FROM held WHERE n <> 0')).toBe(0);
    expect(await backfillStatus(schema, migrations)).toMatchObject({ paused: true, pausedBy: 'alice', rowsDone: 0 });
    await setBackfillPaused(db.client, schema, migrations, '1_bf', false, 'alice');
    const { rows: events } = await db.client.query<{ kind: string }>(`SELECT kind FROM ${schema}.events WHERE kind LIKE 'backfill%' ORDER BY id`);
    expect(events.map((e) => e.kind)).toEqual(['backfillPaused', 'backfillWaiting', 'backfillResumed']);
    expect((await run(schema, migrations)).stoppedAt).toBeNull();
    expect(await scalar('SELECT count(*) AS n FROM held WHERE n <> 1')).toBe(0);
    await expect(setBackfillPaused(db.client, schema, migrations, '2_nope', true, null)).rejects.toMatchObject({ code: 'USAGE' });
  });
});
