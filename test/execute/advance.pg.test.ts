import { describe, expect, it } from 'vitest';
import { PhasegateError } from '../../src/errors.js';
import { advance, reapply, recordApproval, recordMarker, rollback, status } from '../../src/execute/index.js';
import { buildMigration, type Migration } from '../../src/plan/index.js';
import { useTestDatabase } from '../support/database.js';
import { testPolicy } from '../support/policy.js';

const db = useTestDatabase();
let schemaCounter = 0;

/** Each test gets its own state schema, so tests in this file do not see each other's units. */
function freshSchema(): string {
  schemaCounter += 1;
  return `state_${schemaCounter}`;
}

const m = (id: string, def: object): Migration => buildMigration(id, `migrations/${id}.ts`, def);

async function run(schema: string, migrations: Migration[], extra: Partial<Parameters<typeof advance>[0]> = {}) {
  return advance({ db: db.client, schema, migrations, policy: testPolicy, ...extra });
}

async function columns(table: string): Promise<string[]> {
  const { rows } = await db.client.query<{ column_name: string }>(
    'SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
    [table],
  );
  return rows.map((r) => r.column_name);
}

describe('advance', () => {
  it('runs units phase by phase across migrations: no migration overtakes another within a phase', async () => {
    const schema = freshSchema();
    await db.client.query('CREATE TABLE order_log (entry text, at serial)');
    const log = (entry: string) => ({ sql: `INSERT INTO order_log VALUES ('${entry}')` });
    const migrations = [
      m('2_b', { expand: log('2_b:expand'), contract: log('2_b:contract') }),
      m('1_a', { expand: log('1_a:expand'), backfill: log('1_a:backfill'), drop: { ...log('1_a:drop'), gate: { marker: 'go' } } }),
    ];
    await recordMarker(db.client, schema, { kind: 'marker', name: 'go' }, null);
    const result = await run(schema, migrations);
    expect(result.stoppedAt).toBeNull();
    const { rows } = await db.client.query<{ entry: string }>('SELECT entry FROM order_log ORDER BY at');
    expect(rows.map((r) => r.entry)).toEqual(['1_a:expand', '2_b:expand', '1_a:backfill', '2_b:contract', '1_a:drop']);
    expect(result.ran.map((u) => `${u.migration}:${u.phase}`)).toEqual(rows.map((r) => r.entry));
  });

  it('with nothing to do sends as few statements over 30 applied migrations as over 3: round trips do not grow with the project', async () => {
    const statementsOfNoOp = async (count: number): Promise<number> => {
      const schema = freshSchema();
      const migrations = Array.from({ length: count }, (_, i) => m(`${i + 1}_noop`, { expand: { sql: 'SELECT 1' }, contract: { sql: 'SELECT 1' } }));
      expect((await run(schema, migrations)).ran).toHaveLength(count * 2);
      let statements = 0;
      const counting = new Proxy(db.client, {
        get(target, name) {
          if (name !== 'query') return Reflect.get(target, name, target) as unknown;
          return (...args: Parameters<typeof target.query>) => {
            statements += 1;
            return target.query(...args);
          };
        },
      });
      const again = await run(schema, migrations, { db: counting });
      expect(again).toMatchObject({ ran: [], stoppedAt: null });
      return statements;
    };
    const few = await statementsOfNoOp(3);
    expect(await statementsOfNoOp(30)).toBe(few);
    // Bound the session, take the lock, read the state schema's version (one statement), read the whole state (one), let go.
    expect(few).toBe(5);
  });

  it("status inside a caller's transaction, where phasegate never ran, answers without aborting that transaction", async () => {
    const schema = freshSchema();
    const migrations = [m('1_a', { expand: { sql: 'SELECT 1' } })];
    const pending = { migrations: [{ id: '1_a', phases: [{ phase: 'expand', state: 'pending' }] }] };
    await db.client.query('BEGIN');
    try {
      await expect(status(db.client, schema, migrations)).resolves.toMatchObject(pending);
      // A failed statement would have left the transaction aborted (25P02) for everything after it.
      await expect(db.client.query('SELECT 1 AS still')).resolves.toMatchObject({ rows: [{ still: 1 }] });
    } finally {
      await db.client.query('ROLLBACK');
    }
    // Outside a transaction the version is read directly, and its missing table reads the same.
    await expect(status(db.client, schema, migrations)).resolves.toMatchObject(pending);
  });

  it('stops at the first closed gate, even when a later unit has no gate, and continues once it opens', async () => {
    const schema = freshSchema();
    await db.client.query('CREATE TABLE gate_demo (id int)');
    const migrations = [
      m('1_a', { expand: { sql: 'SELECT 1' }, contract: { sql: 'ALTER TABLE gate_demo ADD COLUMN a int', gate: { marker: 'api-reads-a' } } }),
      m('2_b', { contract: { sql: 'ALTER TABLE gate_demo ADD COLUMN b int' } }),
    ];
    const first = await run(schema, migrations);
    expect(first.stoppedAt).toMatchObject({ migration: '1_a', phase: 'contract', reason: 'gate' });
    expect(first.stoppedAt?.detail).toContain('marker "api-reads-a" not recorded');
    expect(await columns('gate_demo')).toEqual(['id']);

    const again = await run(schema, migrations);
    expect(again.ran).toEqual([]);
    expect(again.stoppedAt?.reason).toBe('gate');

    await recordMarker(db.client, schema, { kind: 'marker', name: 'api-reads-a' }, 'test');
    const after = await run(schema, migrations);
    expect(after.stoppedAt).toBeNull();
    expect(await columns('gate_demo')).toEqual(['id', 'a', 'b']);
  });

  it('opens app-version gates only for a deploy in range, the latest deploy winning', async () => {
    const schema = freshSchema();
    const migrations = [m('1_a', { contract: { sql: 'SELECT 1', gate: { app: 'api', version: '>=2.0.0' } } })];
    await recordMarker(db.client, schema, { kind: 'deploy', app: 'api', version: '2.1.0' }, null);
    await recordMarker(db.client, schema, { kind: 'deploy', app: 'api', version: '1.9.0' }, null); // a rollback of the app
    expect((await run(schema, migrations)).stoppedAt?.detail).toContain('app "api" is at 1.9.0; needs a version in >=2.0.0');
    await recordMarker(db.client, schema, { kind: 'deploy', app: 'api', version: '2.2.0' }, null);
    expect((await run(schema, migrations)).stoppedAt).toBeNull();
  });

  it('waits for a soak measured from when the previous phase finished', async () => {
    const schema = freshSchema();
    const migrations = [m('1_a', { expand: { sql: 'SELECT 1' }, drop: { sql: 'SELECT 2', gate: { soak: '1h' } } })];
    const first = await run(schema, migrations);
    expect(first.ran.map((u) => u.phase)).toEqual(['expand']);
    expect(first.stoppedAt?.detail).toMatch(/soak 1h: (59m \d+s|1h) left/);
    const later = await run(schema, migrations, { now: new Date(Date.now() + 3_601_000) });
    expect(later.ran.map((u) => u.phase)).toEqual(['drop']);
  });

  it('waits for an approval of exactly that phase', async () => {
    const schema = freshSchema();
    const migrations = [m('1_a', { expand: { sql: 'SELECT 1', gate: { approval: true } }, contract: { sql: 'SELECT 1', gate: { approval: true } } })];
    expect((await run(schema, migrations)).stoppedAt?.detail).toContain('migrate approve 1_a expand --by <you>');
    await recordApproval(db.client, schema, migrations, '1_a', 'expand', 'alice');
    const result = await run(schema, migrations);
    expect(result.ran.map((u) => u.phase)).toEqual(['expand']);
    expect(result.stoppedAt).toMatchObject({ phase: 'contract', reason: 'gate' });
  });

  it('refuses a started migration whose definition changed, naming the phases, and runs nothing', async () => {
    const schema = freshSchema();
    await db.client.query('CREATE TABLE fp (id int)');
    const original = m('1_a', { expand: { sql: 'SELECT 1' }, contract: { sql: 'SELECT 1', gate: { marker: 'later' } } });
    await run(schema, [original]);
    const edited = m('1_a', { expand: { sql: 'SELECT 1' }, contract: { sql: 'ALTER TABLE fp ADD COLUMN x int', gate: { marker: 'later' } } });
    const other = m('2_b', { expand: { sql: 'ALTER TABLE fp ADD COLUMN y int' } });
    const error = await run(schema, [edited, other]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PhasegateError);
    expect(error).toMatchObject({ code: 'FINGERPRINT_MISMATCH', message: expect.stringContaining('migrations/1_a.ts: changed after it started (phases: contract)') });
    expect(await columns('fp')).toEqual(['id']);
  });

  it('rolls a failing step back with its record, then retries it on the next run', async () => {
    const schema = freshSchema();
    await db.client.query('CREATE TABLE fail_once (id int)');
    const migrations = [
      m('1_a', {
        expand: {
          sql: ['ALTER TABLE fail_once ADD COLUMN a int', 'ALTER TABLE fail_once ADD COLUMN b int; SELECT 1 / (SELECT count(*) FROM fail_once)'],
        },
      }),
    ];
    const failed = await run(schema, migrations);
    expect(failed.stoppedAt).toMatchObject({ migration: '1_a', phase: 'expand', reason: 'error' });
    expect(failed.stoppedAt?.detail).toContain('division by zero');
    expect(await columns('fail_once')).toEqual(['id', 'a']); // step 1 committed, step 2 left nothing behind
    const st = await status(db.client, schema, migrations);
    expect(st.migrations[0]?.phases[0]).toMatchObject({ state: 'failed', attempts: 1 });

    await db.client.query('INSERT INTO fail_once VALUES (1)');
    const retried = await run(schema, migrations);
    expect(retried.stoppedAt).toBeNull();
    expect(await columns('fail_once')).toEqual(['id', 'a', 'b']); // step 1 was not run twice
  });

  it('backfills in keyset batches over a composite key and verifies', async () => {
    const schema = freshSchema();
    await db.client.query(`
      CREATE TABLE composite (tenant int, id int, counter int NOT NULL DEFAULT 0, copy int, PRIMARY KEY (tenant, id));
      INSERT INTO composite (tenant, id, counter) SELECT t, i, i FROM generate_series(1, 3) t, generate_series(1, 250) i;`);
    const migrations = [
      m('1_a', {
        backfill: {
          backfill: { table: 'composite', set: 'counter = counter + 1, copy = counter + 1' },
          verify: 'SELECT count(*) FROM composite WHERE copy IS DISTINCT FROM counter',
        },
      }),
    ];
    const result = await run(schema, migrations);
    expect(result.stoppedAt).toBeNull();
    const { rows } = await db.client.query<{ bad: string }>('SELECT count(*) AS bad FROM composite WHERE counter <> id + 1');
    expect(Number(rows[0]?.bad)).toBe(0); // every row exactly once
  });

  it('stops a backfill after the batch in flight when aborted, and resumes where it stopped', async () => {
    const schema = freshSchema();
    await db.client.query(`
      CREATE TABLE resumable (id int PRIMARY KEY, counter int NOT NULL);
      INSERT INTO resumable SELECT i, 0 FROM generate_series(1, 1000) i;`);
    const migrations = [m('1_a', { backfill: { backfill: { table: 'resumable', set: 'counter = counter + 1', batchSize: 100 } } })];
    const controller = new AbortController();
    const stopped = await run(schema, migrations, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.batches === 3) controller.abort();
      },
    });
    expect(stopped.stoppedAt).toMatchObject({ reason: 'backfill-in-progress' });
    const { rows: partial } = await db.client.query<{ n: string }>('SELECT count(*) AS n FROM resumable WHERE counter = 1');
    expect(Number(partial[0]?.n)).toBe(300);
    expect((await run(schema, migrations)).stoppedAt).toBeNull();
    const { rows } = await db.client.query<{ counter: number; n: string }>('SELECT counter, count(*) AS n FROM resumable GROUP BY counter');
    expect(rows).toEqual([{ counter: 1, n: '1000' }]);
  });

  it('fails a phase whose verify does not return 0, and says how many rows', async () => {
    const schema = freshSchema();
    const result = await run(schema, [m('1_a', { expand: { verify: 'SELECT 3' } })]);
    expect(result.stoppedAt).toMatchObject({ reason: 'error', detail: expect.stringContaining('returned 3 (expected 0)') });
  });

  it('in a dry run reports what would run and where it would stop, and writes nothing', async () => {
    const schema = freshSchema();
    await db.client.query('CREATE TABLE dry (id int)');
    const migrations = [m('1_a', { expand: { sql: 'ALTER TABLE dry ADD COLUMN a int' }, drop: { sql: 'SELECT 1', gate: { soak: '1h' } } })];
    const result = await run(schema, migrations, { dryRun: true });
    expect(result.ran).toEqual([{ migration: '1_a', phase: 'expand', sql: ['ALTER TABLE dry ADD COLUMN a int'] }]);
    expect(result.stoppedAt).toMatchObject({ phase: 'drop', reason: 'gate' });
    expect(await columns('dry')).toEqual(['id']);
    const { rows } = await db.client.query('SELECT to_regnamespace($1) AS ns', [schema]);
    expect(rows[0]?.ns).toBeNull();
  });

  it('runs only up to --to', async () => {
    const schema = freshSchema();
    const migrations = [m('1_a', { expand: { sql: 'SELECT 1' }, backfill: { sql: 'SELECT 1' } }), m('2_b', { expand: { sql: 'SELECT 1' } })];
    const result = await run(schema, migrations, { to: { migrationId: '2_b', phase: 'expand' } });
    expect(result.ran.map((u) => `${u.migration}:${u.phase}`)).toEqual(['1_a:expand', '2_b:expand']);
    await expect(run(schema, migrations, { to: { migrationId: '9_z' } })).rejects.toMatchObject({ code: 'USAGE' });
  });
});

describe('rollback', () => {
  it('undoes completed phases newest first with their down, after which the migration may be edited', async () => {
    const schema = freshSchema();
    await db.client.query('CREATE TABLE rb (id int)');
    const def = {
      expand: { sql: 'ALTER TABLE rb ADD COLUMN a int', down: 'ALTER TABLE rb DROP COLUMN a' },
      dualWrite: { sql: 'CREATE INDEX rb_a ON rb (a)', down: 'DROP INDEX rb_a' },
      contract: { sql: 'SELECT 1', gate: { marker: 'never' } },
    };
    await run(schema, [m('1_a', def)]);
    expect(await columns('rb')).toEqual(['id', 'a']);
    const result = await rollback({ db: db.client, schema, migration: m('1_a', def), policy: testPolicy });
    expect(result).toEqual({ kind: 'rolledBack', migration: '1_a', phases: ['dualWrite', 'expand'] });
    expect(await columns('rb')).toEqual(['id']);
    const st = await status(db.client, schema, [m('1_a', def)]);
    expect(st.migrations[0]?.phases.map((p) => p.state)).toEqual(['rolledBack', 'rolledBack', 'pending']);
    const edited = { ...def, expand: { sql: 'ALTER TABLE rb ADD COLUMN a bigint', down: 'ALTER TABLE rb DROP COLUMN a' } };
    await expect(run(schema, [m('1_a', edited)])).resolves.toMatchObject({ ran: [], stoppedAt: { phase: 'expand', reason: 'rolledBack' } });
    await expect(reapply(db.client, schema, '1_a')).resolves.toEqual({ kind: 'released', migration: '1_a', phases: ['expand', 'dualWrite'] });
    await expect(run(schema, [m('1_a', edited)])).resolves.toMatchObject({ stoppedAt: { phase: 'contract' } });
  });

  it('is refused once contract has run, and changes nothing', async () => {
    const schema = freshSchema();
    await db.client.query('CREATE TABLE rb2 (id int)');
    const def = { expand: { sql: 'ALTER TABLE rb2 ADD COLUMN a int', down: 'ALTER TABLE rb2 DROP COLUMN a' }, contract: { sql: 'SELECT 1' } };
    await run(schema, [m('1_a', def)]);
    await expect(rollback({ db: db.client, schema, migration: m('1_a', def), policy: testPolicy })).rejects.toMatchObject({
      code: 'REFUSED',
      message: expect.stringContaining('contract ran'),
    });
    expect(await columns('rb2')).toEqual(['id', 'a']);
  });

  it('is refused when a phase that ran has no down', async () => {
    const schema = freshSchema();
    const def = { expand: { sql: 'SELECT 1' } };
    await run(schema, [m('1_a', def)]);
    await expect(rollback({ db: db.client, schema, migration: m('1_a', def), policy: testPolicy })).rejects.toMatchObject({
      code: 'REFUSED',
      message: expect.stringContaining('phase expand has no down'),
    });
  });
});

describe('advance with analysis', () => {
  it('refuses a unit that breaks coexistence before any of its steps run, after earlier units ran', async () => {
    const schema = freshSchema();
    await db.client.query('CREATE TABLE coexist (id int, legacy text)');
    const migrations = [
      m('1_a', { expand: { sql: 'ALTER TABLE coexist ADD COLUMN fresh text' } }),
      m('2_b', { expand: { sql: ['ALTER TABLE coexist ADD COLUMN other text', 'ALTER TABLE coexist RENAME COLUMN legacy TO old_legacy'] } }),
    ];
    const result = await run(schema, migrations);
    expect(result.ran.map((u) => u.migration)).toEqual(['1_a']);
    expect(result.stoppedAt).toMatchObject({ migration: '2_b', phase: 'expand', reason: 'refused' });
    expect(result.stoppedAt?.detail).toContain('[breaking-change-outside-contract]');
    expect(await columns('coexist')).toEqual(['id', 'legacy', 'fresh']);
  });

  it('runs a refused statement once it carries a suppression with a reason', async () => {
    const schema = freshSchema();
    await db.client.query('CREATE TABLE suppressed (id int, legacy text)');
    const sql = '-- phasegate:allow breaking-change-outside-contract nothing reads legacy since 2019\nALTER TABLE suppressed RENAME COLUMN legacy TO old_legacy';
    const result = await run(schema, [m('1_a', { expand: { sql } })]);
    expect(result.stoppedAt).toBeNull();
    expect(await columns('suppressed')).toEqual(['id', 'old_legacy']);
  });

  it('treats SQL that does not parse as bad input and runs nothing at all', async () => {
    const schema = freshSchema();
    await db.client.query('CREATE TABLE parse_first (id int)');
    const migrations = [
      m('1_a', { expand: { sql: 'ALTER TABLE parse_first ADD COLUMN a int' } }),
      m('2_b', { expand: { sql: 'ALTER TABLE parse_first ADD COLUM b int' } }),
    ];
    await expect(run(schema, migrations)).rejects.toMatchObject({ code: 'INVALID_SQL', message: expect.stringContaining('2_b') });
    expect(await columns('parse_first')).toEqual(['id']);
  });
});
