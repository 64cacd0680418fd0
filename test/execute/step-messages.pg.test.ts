import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, migrationSource, runCli, startCli } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';
import { until } from '../support/until.js';

const db = useTestDatabase();
let counter = 0;

/** A project with its own state schema; `files` maps file names to their source. */
async function project(files: Record<string, string>): Promise<{ dir: string; env: Record<string, string> }> {
  counter += 1;
  const dir = await makeProject(files);
  return { dir, env: { DATABASE_URL: db.url, PHASEGATE_SCHEMA: `msg_${counter}` } };
}

/** Ends the runner's session from another connection once it runs a query matching `pattern`. */
async function terminateRunnerWhen(pattern: string): Promise<void> {
  let terminated = false;
  await until(async () => {
    const { rows } = await db.client.query<{ ok: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
        WHERE datname = current_database() AND application_name LIKE 'phasegate%' AND state = 'active' AND query LIKE $1`,
      [pattern],
    );
    terminated = rows.some((r) => r.ok);
    return terminated;
  });
  expect(terminated).toBe(true);
}

describe('a failed step says what PostgreSQL said', () => {
  it('shows the key of a foreign-key violation from the server DETAIL', async () => {
    await db.client.query('CREATE TABLE fk_parent (id int PRIMARY KEY); CREATE TABLE fk_child (parent_id int REFERENCES fk_parent)');
    const { dir, env } = await project({ '1_child.ts': migrationSource({ expand: { sql: 'INSERT INTO fk_child (parent_id) VALUES (42)' } }) });
    const result = await runCli(['advance'], { cwd: dir, env });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('1_child expand step 1 failed');
    expect(result.stdout).toContain('detail: Key (parent_id)=(42) is not present in table "fk_parent".');
  });

  it('points a PL/pgSQL error at its line in the migration file, with the server context', async () => {
    const source = [
      "import { defineMigration } from 'phasegate';", // 1
      '', // 2
      'export default defineMigration({', // 3
      '  expand: {', // 4
      '    sql: `DO $$', // 5
      'BEGIN', // 6
      '  PERFORM 1;', // 7
      "  RAISE EXCEPTION 'no rows to copy';", // 8
      'END', // 9
      '$$`,', // 10
      '  },', // 11
      '});', // 12
    ].join('\n');
    const { dir, env } = await project({ '1_plpgsql.ts': source });
    const result = await runCli(['advance'], { cwd: dir, env });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('no rows to copy');
    expect(result.stdout).toContain('context: PL/pgSQL function inline_code_block line 4 at RAISE');
    expect(result.stdout).toMatch(/at \S*\/migrations\/1_plpgsql\.ts line 8\b/);
  });

  it('points an error with a position at the line of the migration file, not of the statement', async () => {
    const source = [
      "import { defineMigration } from 'phasegate';",
      'export default defineMigration({',
      '  expand: {',
      '    sql: `CREATE TABLE pos_t (id int);',
      'ALTER TABLE pos_t',
      '  ADD COLUMN b no_such_type`,',
      '  },',
      '});',
    ].join('\n');
    const { dir, env } = await project({ '1_position.ts': source });
    const result = await runCli(['advance'], { cwd: dir, env });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('type "no_such_type" does not exist (SQLSTATE 42704)');
    expect(result.stdout).toMatch(/at \S*\/migrations\/1_position\.ts line 6\b/);
  });

  it('says a failed concurrent index build left an INVALID index that the next advance drops, and the retry builds it', async () => {
    await db.client.query('CREATE TABLE cic_t (id int PRIMARY KEY, code int); INSERT INTO cic_t VALUES (1, 7), (2, 7)');
    const { dir, env } = await project({
      '1_cic.ts': migrationSource({ expand: { steps: [{ sql: 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS cic_t_code_uq ON cic_t (code)', transaction: false }] } }),
    });
    const failed = await runCli(['advance'], { cwd: dir, env });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('detail: Key (code)=(7) is duplicated.');
    expect(failed.stdout).toContain('leaves the INVALID index cic_t_code_uq behind; the next advance drops it before building it again');
    expect(failed.stdout).not.toContain('nothing of this step was applied');
    await db.client.query('UPDATE cic_t SET code = 8 WHERE id = 2');
    expect((await runCli(['advance'], { cwd: dir, env })).code).toBe(0);
    const { rows } = await db.client.query<{ valid: boolean }>("SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'cic_t_code_uq'::regclass");
    expect(rows).toEqual([{ valid: true }]);
  });
});

describe('a step that does not parse', () => {
  it('exits 2 numbering steps from 1 and pointing at the line of the migration file', async () => {
    const source = [
      "import { defineMigration } from 'phasegate';", // 1
      'export default defineMigration({', // 2
      '  expand: {', // 3
      '    sql: [', // 4
      "      'CREATE TABLE parse_t (id int)',", // 5
      '      `ALTER TABLE parse_t', // 6
      '         ADD COLUMN a int;', // 7
      '       ALTER TABLEE parse_t ADD COLUMN b int`,', // 8
      '    ],', // 9
      '  },', // 10
      '});', // 11
    ].join('\n');
    const { dir, env } = await project({ '1_parse.ts': source });
    const result = await runCli(['advance'], { cwd: dir, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('phase expand, step 2: SQL does not parse at line 3: syntax error at or near "TABLEE"');
    expect(result.stderr).toMatch(/at \S*\/migrations\/1_parse\.ts line 8\b/);
    expect((await db.client.query("SELECT to_regclass('parse_t') AS t")).rows).toEqual([{ t: null }]);
  });
});

describe('a lost connection', () => {
  it('during a slow step says the connection was lost and nothing of the step was applied (exit 1), and the next advance finishes', async () => {
    await db.client.query('CREATE TABLE slow_done (id int)');
    const slow = "CREATE TABLE slow_made (id int); SELECT pg_sleep(CASE WHEN to_regclass('slow_fast') IS NULL THEN 30 ELSE 0 END)";
    const { dir, env } = await project({ '1_slow.ts': migrationSource({ expand: { sql: slow } }) });
    const { done } = startCli(['advance'], { cwd: dir, env });
    await terminateRunnerWhen('%pg_sleep%');
    const lost = await done;
    expect(lost.code).toBe(1);
    expect(lost.stdout).toContain('1_slow expand step 1 did not finish: the connection to the server was lost');
    expect(lost.stdout).toContain('nothing of this step was applied');
    expect(lost.stdout).not.toContain('fix the statement');
    expect((await db.client.query("SELECT to_regclass('slow_made') AS t")).rows).toEqual([{ t: null }]);
    await db.client.query('CREATE TABLE slow_fast (id int)');
    expect((await runCli(['advance'], { cwd: dir, env })).code).toBe(0);
    expect((await db.client.query("SELECT to_regclass('slow_made')::text AS t")).rows).toEqual([{ t: 'slow_made' }]);
  });

  it('during a backfill says the connection was lost, not that the set is wrong, and the next advance finishes every row once', async () => {
    await db.client.query('CREATE TABLE bf_lost (id int PRIMARY KEY, n int NOT NULL DEFAULT 0); INSERT INTO bf_lost (id) SELECT generate_series(1, 400)');
    // Each row sleeps 10 ms while slow_rows exists: a batch is in flight for long.
    await db.client.query('CREATE TABLE slow_rows (id int)');
    const set = "n = n + 1 + (SELECT count(*) FROM pg_sleep(CASE WHEN to_regclass('slow_rows') IS NULL THEN 0 ELSE 0.01 END))::int * 0";
    const { dir, env } = await project({ '1_bf.ts': migrationSource({ backfill: { backfill: { table: 'bf_lost', set, batchSize: 50 } } }) });
    const { done } = startCli(['advance'], { cwd: dir, env });
    await terminateRunnerWhen('%UPDATE%bf_lost%');
    const lost = await done;
    expect(lost.code).toBe(1);
    expect(lost.stdout).toMatch(/1_bf backfill of bf_lost stopped: the connection to the server was lost during the batch/);
    expect(lost.stdout).not.toContain('error in set/where');
    await db.client.query('DROP TABLE slow_rows');
    expect((await runCli(['advance'], { cwd: dir, env })).code).toBe(0);
    expect((await db.client.query('SELECT count(*)::int AS n FROM bf_lost WHERE n <> 1')).rows).toEqual([{ n: 0 }]);
  });
});

describe('a missing privilege', () => {
  const role = `lowpriv_${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    await db.client.query(`DROP ROLE IF EXISTS ${role}`);
  });

  it('to create the state schema exits 2 naming the privilege, the database and the GRANT, never INTERNAL', async () => {
    // A password, for servers that ask for one over TCP (the embedded one does).
    await db.client.query(`CREATE ROLE ${role} LOGIN PASSWORD 'lowpriv-pw'`);
    const url = new URL(db.url);
    url.username = role;
    url.password = 'lowpriv-pw';
    const dir = await makeProject({});
    const result = await runCli(['mark', 'api-ready', '--json'], { cwd: dir, env: { DATABASE_URL: url.toString(), PHASEGATE_SCHEMA: 'priv_state' } });
    expect(result.code).toBe(2);
    const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string; hint: string } };
    const database = url.pathname.slice(1);
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(error.message).toContain(`the role ${role} lacks CREATE on database ${database} for phasegate's state schema priv_state`);
    expect(error.hint).toContain(`GRANT CREATE ON DATABASE ${database} TO ${role}`);
    expect(result.stderr).not.toMatch(/INTERNAL|\n\s+at /);
  });
});
