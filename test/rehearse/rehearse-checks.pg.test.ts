import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inject, describe, expect, it } from 'vitest';
import { makeProject, migrationSource, runCli } from '../support/cli.js';

const admin = inject('adminUrl');

interface JsonReport {
  readonly ok: boolean;
  readonly failures: readonly { app: string; phase: string; step: number; statement: string; error: string; class: string; advice: string }[];
}

/** A project: migrations, a setup file and check files. */
async function project(migrations: Record<string, object>, files: Record<string, string>): Promise<string> {
  const dir = await makeProject(Object.fromEntries(Object.entries(migrations).map(([id, def]) => [`${id}.ts`, migrationSource(def)])));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

// Split users.street into addresses: a sync trigger copies users.street on every write,
// and ON CONFLICT lets it win, so it overwrites the address the new app inserts
// together with the user in one statement: no error, wrong data.
const splitTable = {
  description: 'move users.street to addresses',
  expand: { sql: 'CREATE TABLE addresses (user_id bigint PRIMARY KEY REFERENCES users (id), street text)' },
  dualWrite: {
    sql: [
      `CREATE FUNCTION users_sync_street() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO addresses (user_id, street) VALUES (NEW.id, NEW.street)
         ON CONFLICT (user_id) DO UPDATE SET street = EXCLUDED.street;
         RETURN NEW;
       END $$`,
      'CREATE TRIGGER users_sync_street AFTER INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_sync_street()',
    ],
  },
  backfill: { sql: 'INSERT INTO addresses (user_id, street) SELECT id, street FROM users ON CONFLICT DO NOTHING' },
};

const usersSetup = `CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL, street text);
INSERT INTO users (name, street) SELECT 'u' || g, g || ' Main St' FROM generate_series(1, 100) g;`;

const newAppSplit = `WITH u AS (INSERT INTO users (name) VALUES ('new') RETURNING id)
INSERT INTO addresses (user_id, street) SELECT id, '1 New St' FROM u;
-- assert
SELECT street = '1 New St' FROM addresses WHERE user_id = currval('users_id_seq');
`;

describe('migrate rehearse checks', () => {
  it('catches with an -- assert a sync trigger that silently overwrites the address the new app wrote in the same statement', async () => {
    const dir = await project({ '20260101000000_split_address': splitTable }, { 'setup.sql': usersSetup, 'new.sql': newAppSplit, 'old.sql': "INSERT INTO users (name, street) VALUES ('old', '2 Old St');\n" });
    const result = await runCli(['rehearse', '--setup', 'setup.sql', '--old-app', 'old.sql', '--new-app', 'new.sql', '--new-app-from', 'dualWrite', '--scratch-url', admin, '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.failures[0]).toMatchObject({ app: 'new', phase: 'dualWrite', step: 2, class: 'assertion' });
    expect(report.failures[0]?.statement).toContain("SELECT street = '1 New St'");
    expect(report.failures[0]?.error).toMatch(/assertion failed \(line 4\): expected one row with true, got null/);
  });

  it('passes the same check once the trigger leaves an existing address alone', async () => {
    const fixed = {
      ...splitTable,
      dualWrite: { sql: [(splitTable.dualWrite.sql[0] as string).replace('DO UPDATE SET street = EXCLUDED.street', 'DO NOTHING'), splitTable.dualWrite.sql[1] as string] },
    };
    const dir = await project({ '20260101000000_split_address': fixed }, { 'setup.sql': usersSetup, 'new.sql': newAppSplit, 'old.sql': "INSERT INTO users (name, street) VALUES ('old', '2 Old St');\n" });
    const result = await runCli(['rehearse', '--setup', 'setup.sql', '--old-app', 'old.sql', '--new-app', 'new.sql', '--new-app-from', 'dualWrite', '--scratch-url', admin, '--json'], { cwd: dir });
    expect(result.code, result.stdout).toBe(0);
  });

  it('reports a prepared SELECT * broken by an added column as a cached-plan break with driver advice', async () => {
    const dir = await project(
      { '20260101000000_add_nickname': { expand: { sql: 'ALTER TABLE users ADD COLUMN nickname text' } } },
      { 'setup.sql': usersSetup, 'old.sql': 'SELECT * FROM users WHERE id = 1;\n' },
    );
    const result = await runCli(['rehearse', '--setup', 'setup.sql', '--old-app', 'old.sql', '--scratch-url', admin, '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.failures).toEqual([
      expect.objectContaining({ app: 'old', phase: 'expand', step: 1, class: 'cachedPlan', statement: 'SELECT * FROM users WHERE id = 1' }),
    ]);
    expect(report.failures[0]?.error).toMatch(/cached plan must not change result type/);
    expect(report.failures[0]?.advice).toMatch(/list the columns explicitly/);
  });

  it('runs a check module that exports an async function of a client, and reports what it throws', async () => {
    const module = `export default async function (client) {
  const { rows } = await client.query('SELECT count(*)::int AS n FROM users WHERE nickname IS NULL');
  if (rows[0].n !== 0) throw new Error(rows[0].n + ' users have no nickname');
}
`;
    const dir = await project(
      { '20260101000000_add_nickname': { expand: { sql: 'ALTER TABLE users ADD COLUMN nickname text' } } },
      { 'setup.sql': usersSetup, 'new.mjs': module },
    );
    const result = await runCli(['rehearse', '--setup', 'setup.sql', '--new-app', 'new.mjs', '--new-app-from', 'expand', '--scratch-url', admin, '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.failures[0]).toMatchObject({ app: 'new', phase: 'expand', step: 1, statement: 'new.mjs (function)', error: '100 users have no nickname' });
  });

  it('fills the tables the setup leaves empty with --rows, parents before children, so the backfill has rows to touch', async () => {
    const setup = `CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL, email varchar(20) UNIQUE, born date, m mood NOT NULL, data jsonb, flag boolean);
CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id), total int NOT NULL, status text NOT NULL DEFAULT 'new');
`;
    const check = '-- assert\nSELECT count(*) = 3000 FROM users;\n-- assert\nSELECT count(*) = 3000 FROM orders o JOIN users u ON u.id = o.user_id;\n';
    const migration = { expand: { sql: 'ALTER TABLE orders ADD COLUMN note text' }, backfill: { backfill: { table: 'orders', set: "note = 'n'", where: 'note IS NULL' } } };
    const dir = await project({ '20260101000000_add_note': migration }, { 'setup.sql': setup, 'old.sql': check });
    const result = await runCli(['rehearse', '--setup', 'setup.sql', '--old-app', 'old.sql', '--rows', '3000', '--scratch-url', admin, '--json'], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { steps: { phase: string; rows: number | null }[] };
    expect(report.steps.find((s) => s.phase === 'backfill')?.rows).toBe(3000);
  });

  it('checks more app versions from the config, each only in its own window', async () => {
    const migration = { expand: { sql: 'ALTER TABLE users ADD COLUMN city text' }, drop: { sql: 'ALTER TABLE users DROP COLUMN street', gate: { marker: 'batch-retired' } } };
    const config = JSON.stringify({ rehearse: { setup: ['setup.sql'], apps: [{ name: 'batch', check: 'batch.sql', until: 'drop' }] } });
    const dir = await project({ '20260101000000_drop_street': migration }, { 'setup.sql': usersSetup, 'batch.sql': 'SELECT street FROM users WHERE id = 1;\n', 'phasegate.config.json': config });
    const result = await runCli(['rehearse', '--scratch-url', admin, '--json'], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { apps: { name: string }[]; steps: { phase: string; apps: Record<string, string> }[] };
    expect(report.apps.map((a) => a.name)).toEqual(['batch']);
    expect(report.steps.map((s) => `${s.phase} ${s.apps['batch'] ?? ''}`)).toEqual(['expand works', 'drop outside']);
  });

  it('exits 2 naming the check file when it does not exist, before any database is created', async () => {
    const dir = await project({ '20260101000000_add_nickname': { expand: { sql: 'ALTER TABLE users ADD COLUMN nickname text' } } }, {});
    const result = await runCli(['rehearse', '--old-app', 'missing.sql', '--scratch-url', admin], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/app check missing\.sql cannot be read/);
  });
});
