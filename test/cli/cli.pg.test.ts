import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database.js';
import { makeProject, migrationSource, runCli, startCli } from '../support/cli.js';
import { batchCall, startStatementCounter } from '../support/statement-counter.js';
import { until } from '../support/until.js';

const db = useTestDatabase();
let counter = 0;
/** Each test uses its own state schema in the file's database. */
const env = (): Record<string, string> => ({ DATABASE_URL: db.url, PHASEGATE_SCHEMA: `cli_${counter}` });
const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;
const next = (): number => (counter += 1);

describe('migrate CLI', () => {
  it('with no command prints help on stderr and exits 2; --help lists the exit codes', async () => {
    const dir = await makeProject({});
    const bare = await runCli([], { cwd: dir });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('Usage: migrate');
    const help = await runCli(['--help'], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('5  another runner holds the lock');
  });

  it('init writes a config and migrations dir once; again only with --force', async () => {
    const dir = await makeProject({});
    expect((await runCli(['init'], { cwd: dir })).code).toBe(0);
    expect(await readFile(path.join(dir, 'phasegate.config.ts'), 'utf8')).toContain("migrationsDir: 'migrations'");
    const again = await runCli(['init'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    expect((await runCli(['init', '--force'], { cwd: dir })).code).toBe(0);
  });

  it('new writes a template with every phase that runs once filled in', async () => {
    next();
    const dir = await makeProject({});
    const created = await runCli(['new', 'Add widgets table'], { cwd: dir, env: env() });
    expect(created.code).toBe(0);
    const file = created.stdout.trim();
    expect(path.basename(file)).toMatch(/^\d{14}_add_widgets_table\.ts$/);
    const template = await readFile(file, 'utf8');
    for (const phase of ['expand:', 'dualWrite:', 'backfill:', 'contract:', 'drop:']) expect(template).toContain(phase);
    // An untouched template is refused with the field to fill in.
    const untouched = await runCli(['advance'], { cwd: dir, env: env() });
    expect(untouched.code).toBe(2);
    expect(untouched.stderr).toContain(`${file}: expand.sql: must list at least one statement`);
    await writeFile(file, template.replace("// 'ALTER TABLE users ADD COLUMN email_address text',", `'CREATE TABLE widgets_${counter} (id int)',`));
    const ran = await runCli(['advance', '--json'], { cwd: dir, env: env() });
    expect(ran.code).toBe(0);
    expect(json(ran.stdout)).toMatchObject({ ran: [{ phase: 'expand' }], stoppedAt: null, exitCode: 0 });
  });

  it('advance stops at a gate with exit 3, mark opens it, and status shows every phase', async () => {
    next();
    const dir = await makeProject({
      '1_widgets.ts': migrationSource({
        expand: { sql: `CREATE TABLE gadgets_${counter} (id int)` },
        contract: { sql: 'SELECT 1', gate: { marker: 'api-reads-gadgets' } },
        drop: { sql: 'SELECT 1', gate: { app: 'api', version: '>=2.0.0' } },
      }),
    });
    const first = await runCli(['advance', '--json'], { cwd: dir, env: env() });
    expect(first.code).toBe(3);
    expect(json(first.stdout)).toEqual({
      version: 1,
      dryRun: false,
      ran: [{ migration: '1_widgets', phase: 'expand', durationMs: expect.any(Number) }],
      outOfOrder: [],
      missingFiles: [],
      stoppedAt: { migration: '1_widgets', phase: 'contract', reason: 'gate', detail: expect.stringContaining('api-reads-gadgets') },
      exitCode: 3,
    });
    expect(first.stderr).toContain('waiting at gate'); // logs go to stderr

    const status = json((await runCli(['status', '--json'], { cwd: dir, env: env() })).stdout);
    expect(status['migrations']).toEqual([
      {
        id: '1_widgets',
        description: null,
        fileMissing: false,
        outOfOrder: false,
        edited: [],
        phases: [
          {
            phase: 'expand', state: 'done', startedAt: expect.any(String), finishedAt: expect.any(String), attempts: 1, lastError: null,
            durationMs: expect.any(Number), stepsDone: 1, steps: 1, lockRetries: 0, stalledSince: null,
          },
          { phase: 'contract', state: 'pending', startedAt: null, finishedAt: null, attempts: 0, lastError: null, durationMs: null, stepsDone: 0, steps: 1, lockRetries: 0, stalledSince: null },
          { phase: 'drop', state: 'pending', startedAt: null, finishedAt: null, attempts: 0, lastError: null, durationMs: null, stepsDone: 0, steps: 1, lockRetries: 0, stalledSince: null },
        ],
      },
    ]);
    expect((await runCli(['status', '--exit-code'], { cwd: dir, env: env() })).code).toBe(3);

    expect((await runCli(['mark', 'api-reads-gadgets', '--by', 'ci'], { cwd: dir, env: env() })).code).toBe(0);
    expect((await runCli(['mark', '--app', 'api', '--version', '2.0.1'], { cwd: dir, env: env() })).code).toBe(0);
    expect((await runCli(['mark', '--app', 'api', '--version', 'two'], { cwd: dir, env: env() })).code).toBe(2);
    const markers = json((await runCli(['markers', '--json'], { cwd: dir, env: env() })).stdout);
    expect(markers['markers']).toMatchObject([
      { kind: 'marker', name: 'api-reads-gadgets', recordedBy: 'ci' },
      { kind: 'deploy', app: 'api', version: '2.0.1' },
    ]);
    const done = await runCli(['advance', '--json'], { cwd: dir, env: env() });
    expect(json(done.stdout)).toMatchObject({ ran: [{ phase: 'contract' }, { phase: 'drop' }], stoppedAt: null, exitCode: 0 });
    expect(done.code).toBe(0);
    expect((await runCli(['status', '--exit-code'], { cwd: dir, env: env() })).code).toBe(0);
  });

  it('approve opens an approval gate; a bad phase or id is exit 2', async () => {
    next();
    const dir = await makeProject({ '1_x.ts': migrationSource({ expand: { sql: 'SELECT 1', gate: { approval: true } } }) });
    expect((await runCli(['advance'], { cwd: dir, env: env() })).code).toBe(3);
    expect((await runCli(['approve', '1_x', 'expandd', '--by', 'alice'], { cwd: dir, env: env() })).code).toBe(2);
    expect((await runCli(['approve', '2_y', 'expand', '--by', 'alice'], { cwd: dir, env: env() })).code).toBe(2);
    expect((await runCli(['approve', '1_x', 'expand', '--by', 'alice'], { cwd: dir, env: env() })).code).toBe(0);
    expect((await runCli(['advance'], { cwd: dir, env: env() })).code).toBe(0);
  });

  it('refuses a bad definition with exit 2, the file and the field, and runs nothing', async () => {
    next();
    const dir = await makeProject({
      '1_ok.ts': migrationSource({ expand: { sql: `CREATE TABLE never_${counter} (id int)` } }),
      '2_bad.ts': migrationSource({ contract: { gate: { app: 'api', version: '2.x.y' } } }),
    });
    const result = await runCli(['advance', '--json'], { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${path.join(dir, 'migrations', '2_bad.ts')}: contract.gate.version: "2.x.y" is not a valid semver range`);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace for a user mistake
    expect(json(result.stdout)).toMatchObject({ error: { code: 'INVALID_MIGRATION' }, exitCode: 2 });
    const { rows } = await db.client.query('SELECT to_regclass($1) AS t', [`never_${counter}`]);
    expect(rows[0]?.t).toBeNull();
  });

  it('refuses an edited migration with exit 2 naming the changed phase', async () => {
    next();
    const dir = await makeProject({ '1_x.ts': migrationSource({ expand: { sql: 'SELECT 1' }, contract: { sql: 'SELECT 1', gate: { marker: 'm' } } }) });
    expect((await runCli(['advance'], { cwd: dir, env: env() })).code).toBe(3);
    await writeFile(path.join(dir, 'migrations', '1_x.ts'), migrationSource({ expand: { sql: 'SELECT 2' }, contract: { sql: 'SELECT 1', gate: { marker: 'm' } } }));
    const result = await runCli(['advance'], { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('changed after it started (phases: expand)');
  });

  it('exits 1 when a step fails, and rollback exits 0, then 4 once contract ran', async () => {
    next();
    const t = `rb_${counter}`;
    const dir = await makeProject({
      '1_x.ts': migrationSource({
        expand: { sql: `CREATE TABLE ${t} (id int)`, down: `DROP TABLE ${t}` },
        contract: { sql: `SELECT * FROM ${t}_missing`, gate: { marker: `open-${counter}` } },
      }),
    });
    expect((await runCli(['advance'], { cwd: dir, env: env() })).code).toBe(3);
    const rolledBack = await runCli(['rollback', '1_x', '--json'], { cwd: dir, env: env() });
    expect(rolledBack.code).toBe(0);
    expect(json(rolledBack.stdout)).toMatchObject({ kind: 'rolledBack', phases: ['expand'] });
    expect((await runCli(['reapply', '1_x'], { cwd: dir, env: env() })).code).toBe(0);
    expect((await runCli(['mark', `open-${counter}`], { cwd: dir, env: env() })).code).toBe(0);
    const failed = await runCli(['advance', '--json'], { cwd: dir, env: env() });
    expect(failed.code).toBe(1);
    expect(json(failed.stdout)).toMatchObject({ stoppedAt: { phase: 'contract', reason: 'error', detail: expect.stringContaining('does not exist') } });
    const refused = await runCli(['rollback', '1_x'], { cwd: dir, env: env() });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('cannot be rolled back');
  });

  it('lets exactly one of two concurrent advance processes run; the other exits 5 at once', async () => {
    next();
    const dir = await makeProject({
      '1_slow.ts': migrationSource({ expand: { sql: [`CREATE TABLE slow_${counter} (id int)`, 'SELECT pg_sleep(6)'] } }),
    });
    const first = startCli(['advance', '--json'], { cwd: dir, env: env() });
    // Wait until the first runner really holds its advisory lock (its start-up may take seconds on a busy machine).
    for (let i = 0; i < 400; i++) {
      const { rows } = await db.client.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      );
      if (Number(rows[0]?.n) > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const second = await runCli(['advance', '--json'], { cwd: dir, env: env() });
    expect(second.code).toBe(5);
    expect(json(second.stdout)).toMatchObject({ ran: [], stoppedAt: { reason: 'locked' }, exitCode: 5 });
    const firstResult = await first.done;
    expect(firstResult.code).toBe(0);
    expect(json(firstResult.stdout)).toMatchObject({ ran: [{ migration: '1_slow', phase: 'expand' }] });
    const waited = await runCli(['advance', '--wait', '10s', '--json'], { cwd: dir, env: env() });
    expect(waited.code).toBe(0);
  });

  it('opens its connection while the migration files load, runs nothing before they loaded, and closes it when one fails', async () => {
    /** A migration whose loading waits for a file to appear, so the test decides when loading ends. */
    const held = (go: string, rest: string): string =>
      `import { defineMigration } from 'phasegate';\nimport { existsSync } from 'node:fs';\n` +
      `const pause = new Int32Array(new SharedArrayBuffer(4));\nwhile (!existsSync(${JSON.stringify(go)})) Atomics.wait(pause, 0, 0, 10);\n${rest}\n`;
    const cliSessions = async (): Promise<number> =>
      Number((await db.client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'phasegate'")).rows[0]?.n);

    next();
    const dir = await makeProject({});
    const go = path.join(dir, 'go');
    await writeFile(path.join(dir, 'migrations', '1_held.ts'), held(go, `export default defineMigration({ expand: { sql: 'CREATE TABLE held_${counter} (id int)' } });`));
    const running = startCli(['advance', '--json'], { cwd: dir, env: env() });
    await until(async () => (await cliSessions()) === 1);
    // Connected, and the file is still loading: not one statement has touched the database yet.
    expect((await db.client.query('SELECT to_regnamespace($1) AS s', [`cli_${counter}`])).rows[0]?.s).toBeNull();
    await writeFile(go, '');
    const ran = await running.done;
    expect(ran.code).toBe(0);
    expect(json(ran.stdout)).toMatchObject({ ran: [{ phase: 'expand' }], exitCode: 0 });

    next();
    const broken = await makeProject({});
    const goBroken = path.join(broken, 'go');
    await writeFile(path.join(broken, 'migrations', '1_broken.ts'), held(goBroken, "throw new Error('no migration here');"));
    const failing = startCli(['advance'], { cwd: broken, env: env() });
    await until(async () => (await cliSessions()) === 1);
    await writeFile(goBroken, '');
    // The open session must not keep the process alive until the server drops it.
    const failed = await failing.done;
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('no migration here');
    expect((await db.client.query('SELECT to_regnamespace($1) AS s', [`cli_${counter}`])).rows[0]?.s).toBeNull();
  });

  it('with nothing to do sends five statements over the wire, none of them to bound a session it opened bounded, and writes no runner row', async () => {
    next();
    const dir = await makeProject({
      '1_a.ts': migrationSource({ expand: { sql: ['SELECT 1'] } }),
      '2_b.ts': migrationSource({ expand: { sql: ['SELECT 2'] }, contract: { sql: ['SELECT 3'] } }),
    });
    const counter = await startStatementCounter(db.url);
    try {
      // The first run installs the state schema: before the install's transaction, the version table (not there yet) is read once.
      expect((await runCli(['advance'], { cwd: dir, env: { ...env(), DATABASE_URL: counter.url } })).code).toBe(0);
      const beforeInstall = counter.statements.slice(0, counter.statements.findIndex((sql) => sql.trim() === 'BEGIN'));
      expect(beforeInstall.filter((sql) => /^SELECT version FROM \S+\.schema_version$/.test(sql.trim()))).toHaveLength(1);
      counter.statements.length = 0;
      const again = await runCli(['advance', '--json'], { cwd: dir, env: { ...env(), DATABASE_URL: counter.url } });
      expect(again.code).toBe(0);
      expect(json(again.stdout)).toMatchObject({ ran: [], stoppedAt: null });
      // The session's idle limit, the lock, the state schema's version, the whole state, letting go.
      expect(counter.statements).toHaveLength(5);
      expect(counter.statements.join('\n')).not.toContain("current_setting('lock_timeout')");
      // A runner with no unit to run is not recorded: `status` would have no run to watch.
      expect(counter.statements.join('\n')).not.toMatch(/\.runner\b/);
    } finally {
      await counter.close();
    }
  });

  it('a backfill advance sends few statements besides its batches, and no empty transaction', async () => {
    const id = next();
    await db.client.query(`CREATE TABLE bf_rt_${id} (id int PRIMARY KEY, n int); INSERT INTO bf_rt_${id} SELECT i FROM generate_series(1, 3000) i`);
    const dir = await makeProject({ '1_a.ts': migrationSource({ backfill: { backfill: { table: `bf_rt_${id}`, set: 'n = id', batchSize: 1000 } } }) });
    // A deploy's runner finds the state schema installed.
    expect((await runCli(['advance'], { cwd: await makeProject({}), env: env() })).code).toBe(0);
    const counter = await startStatementCounter(db.url);
    try {
      const run = await runCli(['advance', '--json'], { cwd: dir, env: { ...env(), DATABASE_URL: counter.url } });
      expect(run.code).toBe(0);
      expect(json(run.stdout)).toMatchObject({ ran: [{ migration: '1_a', phase: 'backfill' }], stoppedAt: null });
      const { rows } = await db.client.query<{ left: string }>(`SELECT count(*) AS left FROM bf_rt_${id} WHERE n IS DISTINCT FROM id`);
      expect(rows[0]?.left).toBe('0');
      const batchStatement = (sql: string): boolean => batchCall(sql) || sql.includes('FUNCTION pg_temp.phasegate_commit_batch_') || sql.includes('AS batch_end');
      const batches = counter.statements.filter(batchStatement);
      // Three batches of one statement each, the first walked to its end, and the batch function, made once; the
      // pass's end opens no transaction.
      expect(batches).toHaveLength(5);
      expect(counter.statements.map((sql) => sql.trim()).join('\n')).not.toContain('BEGIN\nCOMMIT');
      // Everything else, 23: the session's idle limit, the lock, the state schema's version, the runner's row, the
      // state; the server version and the name check; the unit's start (with its fingerprints and done steps); the
      // engine's table, key, settings, record, upper key, estimate, new record, pause flag and health checks; the
      // backfill's end, the settings put back, the step's record, the unit's end, the state read again, letting go.
      expect(counter.statements.length - batches.length).toBe(23);
    } finally {
      await counter.close();
    }
  });

  it('status reads the whole state in one round trip after the version check, and still reads an older state schema', async () => {
    const id = next();
    const schema = `cli_${id}`;
    const dir = await makeProject({
      '1_a.ts': migrationSource({ expand: { sql: ['SELECT 1'] } }),
      '2_b.ts': migrationSource({ expand: { sql: [`CREATE TABLE status_rt_${id} (id int PRIMARY KEY, n int)`] }, backfill: { backfill: { table: `status_rt_${id}`, set: 'n = 1' } } }),
    });
    expect((await runCli(['advance'], { cwd: dir, env: env() })).code).toBe(0);
    await runCli(['pause', '2_b'], { cwd: dir, env: env() });
    const counter = await startStatementCounter(db.url);
    try {
      const current = await runCli(['status', '--json'], { cwd: dir, env: { ...env(), DATABASE_URL: counter.url } });
      expect(current.code).toBe(0);
      // The session's idle limit, the state schema's version, the state with backfills, pause flags, steps and runner, the lock's holder.
      expect(counter.statements).toHaveLength(4);
      // An install from before the runner's heartbeat: read part by part, with the same answer.
      await db.client.query(`DROP TABLE ${schema}.runner; UPDATE ${schema}.schema_version SET version = version - 1`);
      const older = await runCli(['status', '--json'], { cwd: dir, env: env() });
      expect(older.code).toBe(0);
      expect(json(older.stdout)).toEqual(json(current.stdout));
      expect(json(current.stdout)).toMatchObject({
        migrations: [
          { id: '1_a', phases: [{ phase: 'expand', state: 'done', stepsDone: 1 }] },
          { id: '2_b', phases: [{ phase: 'expand', state: 'done' }, { phase: 'backfill', state: 'done', backfill: { paused: true } }] },
        ],
      });
    } finally {
      await counter.close();
    }
  });

  it('never prints the password of the connection string, even when the connection fails', async () => {
    const dir = await makeProject({ '1_x.ts': migrationSource({ expand: { sql: 'SELECT 1' } }) });
    const secret = 'sup3r-s3cret-pw';
    const result = await runCli(['status'], { cwd: dir, env: { DATABASE_URL: `postgres://postgres:${secret}@127.0.0.1:1/nope` } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot connect to the database');
    expect(result.stdout + result.stderr).not.toContain(secret);
    // A trust-auth server ignores the password, so every server gets one to leak.
    const withPassword = new URL(db.url);
    if (withPassword.password === '') withPassword.password = 'an-ignored-s3cret';
    const ok = await runCli(['advance', '--log-level', 'debug'], { cwd: dir, env: { DATABASE_URL: withPassword.toString(), PHASEGATE_SCHEMA: 'cli_pw' } });
    expect(ok.code).toBe(0);
    expect(ok.stdout + ok.stderr).not.toContain(withPassword.password);
  });

  it('--dry-run prints the SQL that would run and changes nothing', async () => {
    next();
    const dir = await makeProject({ '1_x.ts': migrationSource({ expand: { sql: `CREATE TABLE dry_${counter} (id int)` } }) });
    const result = await runCli(['advance', '--dry-run'], { cwd: dir, env: env() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`would run 1_x expand`);
    expect(result.stdout).toContain(`CREATE TABLE dry_${counter} (id int)`);
    const { rows } = await db.client.query('SELECT to_regclass($1) AS t', [`dry_${counter}`]);
    expect(rows[0]?.t).toBeNull();
    expect(await readdir(dir)).toEqual(['migrations']);
  });
});
