import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';
import { writeOperationProject, type OperationProject, type RehearsalJson } from './rehearse-helpers.js';

const db = useTestDatabase();

/*
 * Three columns the new app no longer knows, on a mixed-case table: a NOT NULL
 * one without `down` (made nullable in expand), a NOT NULL one whose name holds
 * a double quote, filled from `down` for the new app's rows, and a nullable one.
 */
const schema = `CREATE TABLE "Users" (id bigserial PRIMARY KEY, name text NOT NULL, "Legacy" text NOT NULL, "nick""name" text NOT NULL, note text);
INSERT INTO "Users" (name, "Legacy", "nick""name", note) SELECT 'User ' || g, 'L', 'u' || g, 'n' FROM generate_series(1, 500) g;
`;

const migration = `import { defineMigration, ops } from 'phasegate';
export default defineMigration({
  description: 'drop the columns the new app no longer uses',
  operations: [
    ops.dropColumn({ table: 'Users', column: 'Legacy' }),
    ops.dropColumn({ table: 'Users', column: 'nick"name', down: 'lower(name)' }),
    ops.dropColumn({ table: 'Users', column: 'note' }),
  ],
  gates: { contract: { app: 'api', version: '>=2.0.0' }, drop: { all: [{ marker: 'api-v1-retired' }, { soak: '24h' }] } },
});
`;

const project: OperationProject = {
  schema,
  migrations: { '20260101000000_drop_columns.ts': migration },
  oldApp: `INSERT INTO "Users" (name, "Legacy", "nick""name", note) VALUES ('Old', 'L', 'old', 'n');
UPDATE "Users" SET "Legacy" = 'L2', "nick""name" = 'o2', name = 'Renamed' WHERE id = 1;
-- assert
SELECT "Legacy" = 'L2' AND "nick""name" = 'o2' AND note = 'n' FROM "Users" WHERE id = 1;
`,
  newApp: `INSERT INTO "Users" (name) VALUES ('New');
UPDATE "Users" SET name = 'Changed' WHERE id = 2;
-- assert
SELECT name = 'New' FROM "Users" WHERE id = currval('"Users_id_seq"');
`,
};

/** While both apps run: a row the new app writes, as the old app reads it. */
const mixedApp = `INSERT INTO "Users" (name) VALUES ('New Person');
UPDATE "Users" SET name = 'Other Person' WHERE id = 3;
-- assert
SELECT "nick""name" = 'new person' AND "Legacy" IS NULL FROM "Users" WHERE id = currval('"Users_id_seq"');
-- assert
SELECT "nick""name" = 'u3' FROM "Users" WHERE id = 3;
`;

describe('ops.dropColumn', () => {
  it('keeps the old app reading and writing the columns until contract, and the new app writing without them from expand on', async () => {
    const dir = await writeOperationProject(project);
    await writeFile(path.join(dir, 'app', 'mixed.sql'), mixedApp);
    const config = path.join(dir, 'phasegate.config.ts');
    await writeFile(config, (await readFile(config, 'utf8')).replace("newApp: 'app/new.sql'", "newApp: 'app/new.sql', apps: [{ name: 'mixed', check: 'app/mixed.sql', from: 'dualWrite', until: 'contract' }]"));
    const result = await runCli(['rehearse', '--scratch-url', inject('adminUrl'), '--json'], { cwd: dir });
    const report = JSON.parse(result.stdout) as RehearsalJson;
    expect(report.failures, result.stderr).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.steps.filter((s) => s.apps['mixed'] === 'works').length).toBeGreaterThan(0);
    expect(report.steps.map((s) => `${s.phase}:${s.step}`)).toEqual(['expand:1', 'expand:2', 'dualWrite:1', 'dualWrite:2', 'contract:1', 'contract:2', 'contract:3', 'drop:1', 'drop:2', 'drop:3']);
  });

  it('rolls back expand to exactly the NOT NULLs that were there', async () => {
    const dir = await writeOperationProject({ ...project, migrations: { '20260101000000_drop_columns.ts': migration.replace("column: 'nick\"name', down: 'lower(name)'", "column: 'nick\"name'").replace("contract: { app: 'api', version: '>=2.0.0' }, ", '') } });
    await db.client.query(schema);
    const env = { DATABASE_URL: db.url };
    const nullable = async (): Promise<Record<string, boolean>> =>
      Object.fromEntries(
        (await db.client.query<{ attname: string; attnotnull: boolean }>(`SELECT attname, attnotnull FROM pg_attribute WHERE attrelid = '"Users"'::regclass AND attnum > 0`)).rows.map((r) => [
          r.attname,
          !r.attnotnull,
        ]),
      );
    const before = await nullable();
    const advance = await runCli(['advance', '--to', '20260101000000_drop_columns:expand'], { cwd: dir, env });
    expect(advance.code, advance.stderr).toBe(0);
    expect(await nullable()).toEqual({ ...before, Legacy: true, 'nick"name': true });
    await db.client.query(`INSERT INTO "Users" (name) VALUES ('new app row'); DELETE FROM "Users" WHERE name = 'new app row'`);
    const rollback = await runCli(['rollback', '20260101000000_drop_columns'], { cwd: dir, env });
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(await nullable()).toEqual(before);
    expect((await db.client.query(`SELECT conname FROM pg_constraint WHERE conrelid = '"Users"'::regclass AND contype = 'c'`)).rows).toEqual([]);
  });

  it('generates SQL that lints clean', async () => {
    const dir = await writeOperationProject(project);
    const lint = await runCli(['lint', '--json'], { cwd: dir });
    expect(lint.code, lint.stderr).toBe(0);
    expect((JSON.parse(lint.stdout) as { findings: unknown[] }).findings).toEqual([]);
  });
});
