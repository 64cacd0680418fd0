import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, migrationSource, runCli, startCli, type CliResult } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';

const db = useTestDatabase();
let counter = 0;

/** A project with these migration files (id → definition), its own state schema, and optionally a config file. */
async function project(migrations: Record<string, object>, config?: object): Promise<{ dir: string; env: Record<string, string>; schema: string }> {
  counter += 1;
  const schema = `names_${counter}`;
  const dir = await makeProject(Object.fromEntries(Object.entries(migrations).map(([id, def]) => [`${id}.ts`, migrationSource(def)])));
  if (config !== undefined) await writeFile(path.join(dir, 'phasegate.config.json'), JSON.stringify(config));
  return { dir, schema, env: { DATABASE_URL: db.url, PHASEGATE_SCHEMA: schema } };
}

async function scalar(sql: string): Promise<string | null> {
  const { rows } = await db.client.query<{ v: unknown }>(sql);
  const value = rows[0]?.v;
  return value === null || value === undefined ? null : String(value);
}

/** Runs the CLI but kills it after `ms`: a run that never ends shows as signal SIGKILL. */
async function runBounded(args: readonly string[], options: { cwd: string; env: Record<string, string> }, ms: number): Promise<CliResult> {
  const { child, done } = startCli(args, options);
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

describe('relation names are read as SQL reads them and resolved once', () => {
  it('backfills exactly the table each spelling names when users and "Users" both exist', async () => {
    await db.client.query(`
      CREATE TABLE users (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);
      CREATE TABLE "Users" (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);
      INSERT INTO users (id) SELECT generate_series(1, 30);
      INSERT INTO "Users" (id) SELECT generate_series(1, 50);`);
    const lower = await project({ '1_lower': { backfill: { backfill: { table: 'Users', set: 'n = n + 1', batchSize: 7 } } } });
    const folded = await runCli(['advance'], { cwd: lower.dir, env: lower.env });
    expect(folded.code, folded.stderr).toBe(0);
    expect(await scalar('SELECT count(*) FILTER (WHERE n = 1) || \'/\' || count(*) AS v FROM users')).toBe('30/30');
    expect(await scalar('SELECT count(*) AS v FROM "Users" WHERE n <> 0')).toBe('0');

    const quoted = await project({ '1_upper': { backfill: { backfill: { table: '"Users"', set: 'n = n + 10', batchSize: 7 } } } });
    const exact = await runCli(['advance'], { cwd: quoted.dir, env: quoted.env });
    expect(exact.code, exact.stderr).toBe(0);
    expect(await scalar('SELECT count(*) FILTER (WHERE n = 10) || \'/\' || count(*) AS v FROM "Users"')).toBe('50/50');
    expect(await scalar('SELECT count(*) AS v FROM users WHERE n <> 1')).toBe('0');
  });

  it('backfills a mixed-case table and a schema-qualified table whose name holds a dot', async () => {
    await db.client.query(`
      CREATE TABLE "Items" ("Id" int PRIMARY KEY, n int NOT NULL DEFAULT 0);
      CREATE SCHEMA app;
      CREATE TABLE app."my.table" (id bigint PRIMARY KEY, n int NOT NULL DEFAULT 0);
      INSERT INTO "Items" ("Id") SELECT generate_series(1, 25);
      INSERT INTO app."my.table" (id) SELECT generate_series(1, 25);`);
    const { dir, env } = await project({
      '1_items': { backfill: { backfill: { table: '"Items"', set: 'n = n + 1', batchSize: 4 } } },
      '2_dotted': { backfill: { backfill: { table: 'app."my.table"', set: 'n = n + 1', batchSize: 4 } } },
    });
    const result = await runCli(['advance'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    expect(await scalar('SELECT count(*) AS v FROM "Items" WHERE n <> 1')).toBe('0');
    expect(await scalar('SELECT count(*) AS v FROM app."my.table" WHERE n <> 1')).toBe('0');
  });

  it('exits 2 naming the file and table for an unknown backfill table before expand runs, and lint and plan say so too', async () => {
    await db.client.query(`CREATE TABLE accounts (id int PRIMARY KEY)`);
    const { dir, env } = await project({
      '1_typo': {
        expand: { sql: 'ALTER TABLE accounts ADD COLUMN score int' },
        backfill: { backfill: { table: 'acounts', set: 'score = 0' } },
      },
    });
    const advance = await runCli(['advance'], { cwd: dir, env });
    expect(advance.code).toBe(2);
    expect(advance.stderr).toMatch(/1_typo\.ts: backfill backfill\.table: table "acounts" does not exist/);
    expect(await scalar(`SELECT count(*) AS v FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'score'`)).toBe('0');

    const lint = await runCli(['lint'], { cwd: dir, env });
    expect(lint.code).toBe(2);
    expect(lint.stderr).toContain('table "acounts" does not exist');
    const plan = await runCli(['plan'], { cwd: dir, env });
    expect(plan.code).toBe(2);
    expect(plan.stderr).toContain('table "acounts" does not exist');
  });

  it('exits 2 before expand runs for a backfill table that is not a [schema.]name, saying why', async () => {
    await db.client.query(`CREATE TABLE ledgers (id int PRIMARY KEY)`);
    for (const [table, why] of [
      ['app.sub.ledgers', /"app\.sub\.ledgers" is not a relation name \(expected name or schema\.name\)/],
      ['"ledgers', /"\\"ledgers" is not a relation name \(string is not a valid identifier/],
    ] as const) {
      const { dir, env } = await project({
        '1_bad_name': { expand: { sql: 'ALTER TABLE ledgers ADD COLUMN score int' }, backfill: { backfill: { table, set: 'score = 0' } } },
      });
      const advance = await runCli(['advance'], { cwd: dir, env });
      expect(advance.code).toBe(2);
      expect(advance.stderr).toMatch(why);
      expect(advance.stderr).toContain('hint: write backfill.table as in SQL');
      expect(await scalar(`SELECT count(*) AS v FROM information_schema.columns WHERE table_name = 'ledgers' AND column_name = 'score'`)).toBe('0');
    }
  });

  it('accepts a backfill of a table the same migration creates or renames in an earlier phase', async () => {
    const { dir, env } = await project({
      '1_fresh': {
        expand: { sql: 'CREATE TABLE "Fresh" (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)' },
        backfill: { backfill: { table: '"Fresh"', set: 'n = 1' } },
      },
    });
    expect((await runCli(['plan'], { cwd: dir, env })).code).toBe(0);
    const result = await runCli(['advance'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);

    await db.client.query(`CREATE TABLE legacy (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)`);
    const renamed = await project({
      '1_renamed': { expand: { sql: 'ALTER TABLE legacy RENAME TO "Modern"' }, backfill: { backfill: { table: '"Modern"', set: 'n = 1' } } },
    });
    const plan = await runCli(['plan'], { cwd: renamed.dir, env: renamed.env });
    expect(plan.code, plan.stderr).toBe(0);
  });

  it('drops the INVALID mixed-case index a failed concurrent build left, so the retry ends with a valid index', async () => {
    await db.client.query(`
      CREATE TABLE "Stock" (id int PRIMARY KEY, code text NOT NULL);
      INSERT INTO "Stock" SELECT i, 'c' || i FROM generate_series(1, 20) i;
      INSERT INTO "Stock" VALUES (21, 'c1');`);
    const { dir, env } = await project({
      '1_uq': { expand: { steps: [{ sql: 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "Stock_Code_UQ" ON "Stock" (code)', transaction: false }] } },
    });
    const failed = await runCli(['advance'], { cwd: dir, env });
    expect(failed.code).toBe(1);
    const valid = `SELECT i.indisvalid::text AS v FROM pg_index i WHERE i.indexrelid = to_regclass('"Stock_Code_UQ"')`;
    expect(await scalar(valid)).toBe('false');

    // Still failing: the invalid index is dropped and the build fails again, never recorded done.
    const again = await runCli(['advance'], { cwd: dir, env });
    expect(again.code).toBe(1);
    const status = await runCli(['status', '--json'], { cwd: dir, env });
    expect(status.stdout).not.toMatch(/"state":\s*"done"/);

    await db.client.query(`DELETE FROM "Stock" WHERE id = 21`);
    const fixed = await runCli(['advance'], { cwd: dir, env });
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(await scalar(valid)).toBe('true');
  });

  it('refuses a DML step that would seq-scan a big quoted table', async () => {
    await db.client.query(`
      CREATE TABLE "Wide" (id int PRIMARY KEY, unindexed int, v int);
      INSERT INTO "Wide" SELECT i, i % 100, 0 FROM generate_series(1, 20000) i;
      ANALYZE "Wide";`);
    const { dir, env } = await project(
      { '1_scan': { backfill: { sql: 'UPDATE "Wide" SET v = 1 WHERE unindexed = 5' } } },
      { planCheck: { seqScanBytes: 100_000 } },
    );
    const result = await runCli(['advance'], { cwd: dir, env });
    expect(result.code).toBe(4);
    // Logs are JSON lines on a pipe, where the quotes come escaped.
    expect(result.stderr).toMatch(/a Seq Scan on public\.\\?"Wide\\?"/);
    expect(await scalar('SELECT count(*) AS v FROM "Wide" WHERE v = 1')).toBe('0');
  });
});

describe('batch keys', () => {
  it('backfills every row of a float8 key once in a bounded number of batches when the database prints floats with extra_float_digits = 0', async () => {
    const dbName = await scalar('SELECT current_database() AS v');
    await db.client.query(`
      CREATE TABLE measures (id float8 PRIMARY KEY, n int NOT NULL DEFAULT 0);
      -- Printed with 15 digits every key rounds down (1.33333333333333 < 1 + 1/3), so a key read as text falls short.
      INSERT INTO measures (id) SELECT i + 1 / 3.0::float8 FROM generate_series(1, 120) i;
      ALTER DATABASE "${dbName ?? ''}" SET extra_float_digits = 0;`);
    try {
      const { dir, env, schema } = await project({ '1_float': { backfill: { backfill: { table: 'measures', set: 'n = n + 1', batchSize: 1 } } } });
      const result = await runBounded(['advance'], { cwd: dir, env }, 30_000);
      expect(result.signal).toBeNull();
      expect(result.code, result.stderr).toBe(0);
      expect(await scalar('SELECT count(*) AS v FROM measures WHERE n <> 1')).toBe('0');
      expect(Number(await scalar(`SELECT batches AS v FROM ${schema}.backfills`))).toBeLessThanOrEqual(121);
    } finally {
      await db.client.query(`ALTER DATABASE "${dbName ?? ''}" RESET extra_float_digits`);
    }
  });

  it('fails naming the key, instead of looping, when a key\'s text form does not read back past the batch start', async () => {
    // A cast to text that drops a field: the only way left for a key to print short of itself.
    await db.client.query(`
      CREATE TYPE pair AS (a int, b int);
      CREATE FUNCTION pair_text(pair) RETURNS text IMMUTABLE LANGUAGE sql AS $$ SELECT '(' || ($1).a || ',0)' $$;
      CREATE CAST (pair AS text) WITH FUNCTION pair_text(pair);
      CREATE TABLE pairs (k pair PRIMARY KEY, n int NOT NULL DEFAULT 0);
      INSERT INTO pairs (k) SELECT ROW(i / 3, i % 3 + 1)::pair FROM generate_series(0, 20) i;`);
    const { dir, env } = await project({ '1_pairs': { backfill: { backfill: { table: 'pairs', set: 'n = n + 1', batchSize: 1 } } } });
    const result = await runBounded(['advance'], { cwd: dir, env }, 30_000);
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('backfill of pairs made no progress: the batch after (k) = ((0,0)) ends at ((0,0)), which is not past it');
  });

  it('refuses a key without a safe total order before the first batch, naming why', async () => {
    await db.client.query(`
      CREATE TABLE patterned (code text NOT NULL, n int NOT NULL DEFAULT 0);
      CREATE UNIQUE INDEX patterned_code ON patterned (code text_pattern_ops);
      INSERT INTO patterned (code) SELECT 'k' || i FROM generate_series(1, 30) i;`);
    const { dir, env } = await project({ '1_pattern': { backfill: { backfill: { table: 'patterned', set: 'n = n + 1' } } } });
    const result = await runCli(['advance'], { cwd: dir, env });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('column code uses operator class text_pattern_ops, not the default btree order of text');
    expect(await scalar('SELECT count(*) AS v FROM patterned WHERE n <> 0')).toBe('0');
  });

  it('shows in plan the key the engine then walks, for a table with two equally narrow unique indexes', async () => {
    // Created first but named last: one tie-break by name and another by age would disagree.
    await db.client.query(`
      CREATE TABLE twin (a int NOT NULL, b int NOT NULL, n int NOT NULL DEFAULT 0);
      CREATE UNIQUE INDEX z_twin_a ON twin (a);
      CREATE UNIQUE INDEX a_twin_b ON twin (b);
      INSERT INTO twin (a, b) SELECT i, 1000 - i FROM generate_series(1, 40) i;`);
    const { dir, env, schema } = await project({ '1_twin': { backfill: { backfill: { table: 'twin', set: 'n = n + 1' } } } });
    const plan = await runCli(['plan', '--format', 'json'], { cwd: dir, env });
    expect(plan.code, plan.stderr).toBe(0);
    const shown = /WHERE \(\\"(\w)\\"\) <=/.exec(plan.stdout)?.[1];
    expect(shown).toBeDefined();
    const result = await runCli(['advance'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    const walkedTo = await scalar(`SELECT upper_key->>0 AS v FROM ${schema}.backfills`);
    expect(walkedTo).toBe(await scalar(`SELECT max(${shown ?? 'none'})::text AS v FROM twin`));
  });
});
