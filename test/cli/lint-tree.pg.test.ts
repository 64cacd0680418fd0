import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, migrationSource, runCli } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';

const db = useTestDatabase();

interface LintJson {
  readonly findings: readonly { readonly rule: string; readonly severity: string; readonly file?: string; readonly message: string }[];
  readonly unreadable: readonly { readonly file: string; readonly code: string; readonly message: string }[];
  readonly exitCode: number;
}

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await makeProject({});
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

describe('migrate lint as CI calls it', () => {
  it('walks directories recursively, finding .sql files and migrations in nested folders', async () => {
    const dir = await tree({
      'db/2026/01/add_index.sql': 'CREATE INDEX users_email_idx ON users (email);\n',
      'db/2026/02/20260201000000_rename.ts': migrationSource({ expand: { sql: ['ALTER TABLE users RENAME COLUMN email TO mail'] } }),
      'db/.hidden/ignored.sql': 'TRUNCATE users;\n',
    });
    const result = await runCli(['lint', 'db', '--json'], { cwd: dir });
    const out = JSON.parse(result.stdout) as LintJson;
    expect(out.findings.map((f) => f.rule).sort()).toEqual(['breaking-change-outside-contract', 'non-concurrent-index']);
    expect(result.code).toBe(4);
  });

  it('reports a file that does not parse and still reports the findings of the other files, then exits 2', async () => {
    const dir = await tree({
      'sql/a_broken.sql': 'SELECT 1;\nALTER TABLEE users ADD COLUMN x int;\n',
      'sql/b_index.sql': 'CREATE INDEX users_email_idx ON users (email);\n',
      'sql/nested/c_truncate.sql': 'TRUNCATE users;\n',
    });
    const json = await runCli(['lint', 'sql', '--json'], { cwd: dir });
    expect(json.code).toBe(2);
    const out = JSON.parse(json.stdout) as LintJson;
    expect(out.findings.map((f) => f.rule)).toEqual(['non-concurrent-index', 'truncate']);
    expect(out.unreadable).toEqual([expect.objectContaining({ file: expect.stringContaining('a_broken.sql'), code: 'INVALID_SQL', message: expect.stringMatching(/line 2/) })]);
    const text = await runCli(['lint', 'sql'], { cwd: dir });
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/\[truncate\]/);
    expect(text.stderr).toMatch(/a_broken\.sql.*line 2/);
  });

  it('with a database, accepts SET NOT NULL proven by a validated CHECK or an existing NOT NULL in the catalog', async () => {
    await db.client.query(`CREATE TABLE accounts (id int NOT NULL, email text, nick text, status text DEFAULT 'new');
      ALTER TABLE accounts ADD CONSTRAINT email_nn CHECK (email IS NOT NULL)`);
    const dir = await tree({
      'proven.sql': 'ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\nALTER TABLE accounts ALTER COLUMN id SET NOT NULL;\n',
      'unproven.sql': 'ALTER TABLE accounts ALTER COLUMN nick SET NOT NULL;\n',
    });
    const env = { DATABASE_URL: db.url };
    const proven = await runCli(['lint', 'proven.sql', '--phase', 'contract', '--json'], { cwd: dir, env });
    expect(JSON.parse(proven.stdout)).toMatchObject({ findings: [], exitCode: 0 });
    const unproven = JSON.parse((await runCli(['lint', 'unproven.sql', '--phase', 'contract', '--json'], { cwd: dir, env })).stdout) as LintJson;
    expect(unproven.findings.map((f) => f.rule)).toEqual(['set-not-null-without-check']);
  });

  it('with a database, knows a column default and the current type from the catalog', async () => {
    await db.client.query(`CREATE TABLE tickets (id bigint, status text DEFAULT 'open', title varchar(50), opened timestamp)`);
    const dir = await tree({ 'change.sql': "ALTER TABLE tickets ALTER COLUMN id TYPE int8, ALTER COLUMN title TYPE varchar(80);\nALTER TABLE tickets ALTER COLUMN status SET NOT NULL;\n" });
    const env = { DATABASE_URL: db.url };
    const result = JSON.parse((await runCli(['lint', 'change.sql', '--json'], { cwd: dir, env })).stdout) as LintJson;
    // Only the scan remains: no rewrite (same type, wider varchar), and the default keeps old writers working.
    expect(result.findings.map((f) => f.rule)).toEqual(['set-not-null-without-check']);
    const offline = JSON.parse((await runCli(['lint', 'change.sql', '--json'], { cwd: dir })).stdout) as LintJson;
    expect(offline.findings.map((f) => f.rule)).toContain('breaking-change-outside-contract');
  });

  it('with a database whose session time zone is UTC, does not call timestamp to timestamptz a rewrite', async () => {
    await db.client.query(`CREATE TABLE events (id int, at timestamp)`);
    const dir = await tree({ 'tz.sql': 'ALTER TABLE events ALTER COLUMN at TYPE timestamptz;\n' });
    const env = { DATABASE_URL: db.url };
    const setZone = (zone: string) => db.client.query(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET timezone = %L', current_database(), '${zone}'); END $$`);
    await setZone('UTC');
    const utc = JSON.parse((await runCli(['lint', 'tz.sql', '--phase', 'contract', '--json'], { cwd: dir, env })).stdout) as LintJson;
    expect(utc.findings).toEqual([]);
    await setZone('Europe/Paris');
    const paris = JSON.parse((await runCli(['lint', 'tz.sql', '--phase', 'contract', '--json'], { cwd: dir, env })).stdout) as LintJson;
    expect(paris.findings.map((f) => f.rule)).toEqual(['rewriting-type-change']);
  });

  it('refuses a column drop in the contract phase with a hint naming the drop phase, and accepts it in drop', async () => {
    const dir = await tree({ 'drop.sql': 'ALTER TABLE users DROP COLUMN legacy_email;\n' });
    const contract = await runCli(['lint', 'drop.sql', '--phase', 'contract', '--json'], { cwd: dir });
    expect(contract.code).toBe(4);
    const out = JSON.parse(contract.stdout) as LintJson & { findings: readonly { hint: string }[] };
    expect(out.findings).toEqual([expect.objectContaining({ rule: 'drop-before-drop-phase', severity: 'error', hint: expect.stringContaining('drop phase') })]);
    expect((await runCli(['lint', 'drop.sql', '--phase', 'drop'], { cwd: dir })).code).toBe(0);
  });

  it('judges static SQL inside a DO block at its own line and reports dynamic SQL as info without refusing', async () => {
    const dir = await tree({
      'static.sql': 'DO $$\nBEGIN\n  CREATE INDEX users_email_idx ON users (email);\nEND\n$$;\n',
      'dynamic.sql': "DO $$\nBEGIN\n  EXECUTE format('ANALYZE %I', 'users');\nEND\n$$;\n",
    });
    const fixed = JSON.parse((await runCli(['lint', 'static.sql', '--json'], { cwd: dir })).stdout) as LintJson & { findings: readonly { line: number }[] };
    expect(fixed.findings).toEqual([expect.objectContaining({ rule: 'non-concurrent-index', severity: 'error', line: 3, message: expect.stringContaining('Inside the DO block') })]);
    const dynamic = await runCli(['lint', 'dynamic.sql'], { cwd: dir });
    expect(dynamic.code).toBe(0);
    expect(dynamic.stdout).toMatch(/line 3: info \[unanalysed-code\] Inside the DO block: EXECUTE of a string built at run time was not analysed/);
  });
});
