import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, migrationSource, runCli } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';

const db = useTestDatabase();
let counter = 0;
const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

/** A project with its own state schema and a table `runs_<n>` each step appends to, to count re-runs. */
async function project(files: Record<string, object>): Promise<{ dir: string; env: Record<string, string>; schema: string; runs: string; n: number }> {
  counter += 1;
  const schema = `trust_${counter}`;
  const runs = `runs_${counter}`;
  await db.client.query(`CREATE TABLE ${runs} (what text)`);
  const dir = await makeProject(Object.fromEntries(Object.entries(files).map(([name, def]) => [name, migrationSource(def)])));
  return { dir, env: { DATABASE_URL: db.url, PHASEGATE_SCHEMA: schema }, schema, runs, n: counter };
}

const count = async (sql: string): Promise<number> => Number((await db.client.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
const exists = async (table: string): Promise<boolean> =>
  (await db.client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [table])).rows[0]?.t != null;

describe('state that cannot be trusted is refused', () => {
  it('exits 2 naming both versions when the state schema is newer than this phasegate, and runs nothing', async () => {
    const p = await project({ '1_a.ts': { expand: { sql: `SELECT 1` } } });
    expect((await runCli(['advance'], { cwd: p.dir, env: p.env })).code).toBe(0);
    await db.client.query(`UPDATE ${p.schema}.schema_version SET version = 99`);
    await writeFile(path.join(p.dir, 'migrations', '2_b.ts'), migrationSource({ expand: { sql: `CREATE TABLE newer_${p.n} (id int)` } }));
    for (const command of [['advance'], ['status']]) {
      const result = await runCli(command, { cwd: p.dir, env: p.env });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/at version 99, newer than this phasegate understands \(version \d+\)/);
    }
    expect(await exists(`newer_${p.n}`)).toBe(false);
  });

  it.each([
    ['the version row is gone', (s: string) => `DELETE FROM ${s}.schema_version`, 'has no row in schema_version'],
    ['the version table is gone', (s: string) => `DROP TABLE ${s}.schema_version`, 'has no schema_version table'],
    ['the version table has two rows', (s: string) => `INSERT INTO ${s}.schema_version SELECT version FROM ${s}.schema_version`, 'has 2 rows in schema_version instead of one'],
  ])('exits 2 with the repair statement when %s, instead of re-installing over the tables', async (_, tamper, why) => {
    const p = await project({ '1_a.ts': { expand: { sql: `INSERT INTO runs_${counter + 1} VALUES ('expand')` } } });
    expect((await runCli(['advance'], { cwd: p.dir, env: p.env })).code).toBe(0);
    await db.client.query(tamper(p.schema));
    const result = await runCli(['advance', '--json'], { cwd: p.dir, env: p.env });
    expect(result.code).toBe(2);
    expect(json(result.stdout)).toMatchObject({ error: { code: 'STATE_INVALID', message: expect.stringContaining(why) } });
    expect(result.stderr).toContain(`INSERT INTO "${p.schema}".schema_version VALUES`);
    expect(result.stderr).not.toMatch(/already exists|\n\s+at /);
    expect(await count(`SELECT count(*) AS n FROM ${p.runs}`)).toBe(1);
  });

  it('exits 2 naming the migration when its recorded fingerprints are unreadable, and re-runs nothing', async () => {
    const p = await project({ '1_a.ts': { expand: { sql: `INSERT INTO runs_${counter + 1} VALUES ('expand')` }, contract: { sql: 'SELECT 1', gate: { marker: 'm' } } } });
    expect((await runCli(['advance'], { cwd: p.dir, env: p.env })).code).toBe(3);
    await db.client.query(`UPDATE ${p.schema}.migrations SET fingerprints = '"tampered"'`);
    await runCli(['mark', 'm'], { cwd: p.dir, env: p.env });
    for (const command of [['advance'], ['status']]) {
      const result = await runCli(command, { cwd: p.dir, env: p.env });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('the recorded fingerprints of 1_a are unreadable');
      expect(result.stderr).toContain(`DELETE FROM "${p.schema}".migrations WHERE id = '1_a'`);
    }
    expect(await count(`SELECT count(*) AS n FROM ${p.runs}`)).toBe(1);
  });

  it('exits 2 when a phase is recorded done but none of its steps are, and runs nothing after it', async () => {
    const p = await project({ '1_a.ts': { expand: { sql: 'SELECT 1' } } });
    expect((await runCli(['advance'], { cwd: p.dir, env: p.env })).code).toBe(0);
    await db.client.query(`DELETE FROM ${p.schema}.steps`);
    await writeFile(path.join(p.dir, 'migrations', '2_b.ts'), migrationSource({ expand: { sql: `CREATE TABLE after_${p.n} (id int)` } }));
    const result = await runCli(['advance'], { cwd: p.dir, env: p.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('1_a expand is recorded done, but none of its steps are recorded');
    expect(await exists(`after_${p.n}`)).toBe(false);
  });
});

describe('migration files and the state store disagree', () => {
  it('lists a half-applied migration whose file is gone, and advance exits 2 naming restore and forget without running later units', async () => {
    const p = await project({ '1_a.ts': { expand: { sql: 'SELECT 1' }, contract: { sql: 'SELECT 1', gate: { marker: 'later' } } } });
    expect((await runCli(['advance'], { cwd: p.dir, env: p.env })).code).toBe(3);
    await rm(path.join(p.dir, 'migrations', '1_a.ts'));
    await writeFile(path.join(p.dir, 'migrations', '2_b.ts'), migrationSource({ expand: { sql: `CREATE TABLE past_${p.n} (id int)` } }));

    const status = await runCli(['status', '--json'], { cwd: p.dir, env: p.env });
    expect(json(status.stdout)['migrations']).toMatchObject([
      { id: '1_a', fileMissing: true, phases: [{ phase: 'expand', state: 'done' }, { phase: 'contract', state: 'pending' }] },
      { id: '2_b', fileMissing: false },
    ]);
    expect((await runCli(['status'], { cwd: p.dir, env: p.env })).stdout).toMatch(/1_a.*\(file missing\)/);
    expect((await runCli(['status', '--exit-code'], { cwd: p.dir, env: p.env })).code).toBe(2);

    const advance = await runCli(['advance', '--json'], { cwd: p.dir, env: p.env });
    expect(advance.code).toBe(2);
    expect(json(advance.stdout)).toMatchObject({ error: { code: 'MIGRATION_MISSING', message: expect.stringContaining('1_a: file missing') } });
    expect(advance.stderr).toContain('restore the file');
    expect(advance.stderr).toContain('migrate forget <id>');
    expect(await exists(`past_${p.n}`)).toBe(false);
    const forget = await runCli(['forget', '1_a'], { cwd: p.dir, env: p.env });
    expect(forget.code).toBe(2);
    expect(forget.stderr).toContain('1_a is not finished');
  });

  it('forget drops a done migration whose file is gone, and is refused while its file exists', async () => {
    const p = await project({ '1_a.ts': { expand: { sql: 'SELECT 1' } }, '2_b.ts': { expand: { sql: 'SELECT 1' } } });
    expect((await runCli(['advance'], { cwd: p.dir, env: p.env })).code).toBe(0);
    expect((await runCli(['forget', '2_b'], { cwd: p.dir, env: p.env })).code).toBe(2);
    await rm(path.join(p.dir, 'migrations', '1_a.ts'));
    const advance = await runCli(['advance', '--json'], { cwd: p.dir, env: p.env });
    expect(advance.code).toBe(0);
    expect(json(advance.stdout)).toMatchObject({ missingFiles: ['1_a'] });
    const forget = await runCli(['forget', '1_a', '--json'], { cwd: p.dir, env: p.env });
    expect(forget.code).toBe(0);
    expect(json(forget.stdout)).toMatchObject({ kind: 'forgotten', migration: '1_a' });
    const status = json((await runCli(['status', '--json'], { cwd: p.dir, env: p.env })).stdout);
    expect(status['migrations']).toMatchObject([{ id: '2_b' }]);
    expect(await count(`SELECT count(*) AS n FROM ${p.schema}.units WHERE migration_id = '1_a'`)).toBe(0);
  });

  it('runs a new file ordered before done migrations with a warning, and --strict-order refuses it with exit 2', async () => {
    const p = await project({ '2_b.ts': { expand: { sql: 'SELECT 1' } } });
    expect((await runCli(['advance'], { cwd: p.dir, env: p.env })).code).toBe(0);
    await writeFile(path.join(p.dir, 'migrations', '1_a.ts'), migrationSource({ expand: { sql: `CREATE TABLE early_${p.n} (id int)` } }));

    const strict = await runCli(['advance', '--strict-order', '--json'], { cwd: p.dir, env: p.env });
    expect(strict.code).toBe(2);
    expect(json(strict.stdout)).toMatchObject({ error: { code: 'OUT_OF_ORDER', message: expect.stringContaining('1_a') } });
    expect(await exists(`early_${p.n}`)).toBe(false);
    const status = await runCli(['status', '--json'], { cwd: p.dir, env: p.env });
    expect(json(status.stdout)['migrations']).toMatchObject([{ id: '1_a', outOfOrder: true }, { id: '2_b', outOfOrder: false }]);

    const text = await runCli(['advance'], { cwd: p.dir, env: p.env });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('warning: 1_a is new but ordered before migrations that are done');
    expect(await exists(`early_${p.n}`)).toBe(true);
  });
});
