import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';
import { rehearseProject, writeOperationProject, type OperationProject } from './rehearse-helpers.js';

const db = useTestDatabase();

/*
 * A NOT NULL, UNIQUE, CHECKed column computed from another one (`up`), and a
 * NOT NULL foreign-key column with a constant default, on a mixed-case table;
 * the computed column's name holds a double quote. The old app never names
 * the new columns; the new app writes them and checks, over the whole table,
 * that every row (its own, the old app's, the backfilled ones) agrees.
 */
const project: OperationProject = {
  schema: `CREATE TABLE plans (code text PRIMARY KEY);
INSERT INTO plans VALUES ('free'), ('pro');
CREATE TABLE "Accounts" (id bigserial PRIMARY KEY, "Email" text NOT NULL);
INSERT INTO "Accounts" ("Email") SELECT 'User' || g || '@Example.COM' FROM generate_series(1, 3000) g;
`,
  migrations: {
    '20260101000000_add_columns.ts': `import { defineMigration, ops } from 'phasegate';
export default defineMigration({
  description: 'add the normalised email and the plan tier to accounts',
  operations: [
    ops.addColumn({
      table: 'Accounts',
      column: { name: 'norm"email', type: 'text', nullable: false, unique: true, check: { constraint: '"norm""email" = lower("norm""email")' } },
      up: 'lower("Email")',
    }),
    ops.addColumn({ table: 'Accounts', column: { name: 'tier', type: 'text', nullable: false, default: "'free'", references: { table: 'plans', column: 'code' } } }),
  ],
  gates: { contract: { app: 'api', version: '>=2.0.0' } },
});
`,
  },
  oldApp: `INSERT INTO "Accounts" ("Email") VALUES ('Old.' || gen_random_uuid() || '@Example.COM');
UPDATE "Accounts" SET "Email" = 'Changed.' || gen_random_uuid() || '@Example.COM' WHERE id = (SELECT 1 + (random() * 2999)::int);
-- assert
SELECT "Email" LIKE 'Old.%' FROM "Accounts" WHERE id = currval('"Accounts_id_seq"');
`,
  newApp: `INSERT INTO "Accounts" ("Email", "norm""email", tier) SELECT e, lower(e), 'pro' FROM (SELECT 'New.' || gen_random_uuid() || '@Example.COM' AS e) s;
UPDATE "Accounts" SET "Email" = e, "norm""email" = lower(e) FROM (SELECT 'Upd.' || gen_random_uuid() || '@Example.COM' AS e) s WHERE id = (SELECT 1 + (random() * 2999)::int);
-- assert
SELECT "norm""email" = lower("Email") AND tier = 'pro' FROM "Accounts" WHERE id = currval('"Accounts_id_seq"');
-- assert
SELECT count(*) = 0 FROM "Accounts" WHERE "norm""email" IS DISTINCT FROM lower("Email") OR tier IS NULL;
`,
};

describe('ops.addColumn', () => {
  it('keeps both app versions working under concurrent traffic at every step, and every row agrees at the end', async () => {
    const { result, report } = await rehearseProject(project, ['--traffic', '2']);
    expect(report.failures, result.stderr).toEqual([]);
    expect(report.ok).toBe(true);
    expect(result.code).toBe(0);
    expect(report.steps.map((s) => s.phase)).toEqual(expect.arrayContaining(['expand', 'dualWrite', 'backfill', 'contract']));
    const traffic = report.steps.flatMap((s) => Object.entries(s.traffic ?? {}));
    expect(traffic.filter(([, t]) => t.errors > 0)).toEqual([]);
    for (const app of ['old', 'new']) expect(traffic.filter(([name]) => name === app).reduce((sum, [, t]) => sum + (t.queries ?? 0), 0)).toBeGreaterThan(0);
    // The new app's last check ran after the last step: no row, old or new, disagrees there.
    expect(report.steps.at(-1)?.apps['new']).toBe('works');
  });

  it('rolls back after the backfill: the trigger and the columns go, the old shape is as it was', async () => {
    const dir = await writeOperationProject(project);
    await db.client.query(project.schema);
    const env = { DATABASE_URL: db.url };
    const advance = await runCli(['advance'], { cwd: dir, env });
    expect(advance.code, advance.stderr).toBe(3); // at contract's gate, with every row filled
    expect((await db.client.query(`SELECT count(*)::int AS n FROM "Accounts" WHERE "norm""email" = lower("Email")`)).rows[0]).toEqual({ n: 3000 });
    const rollback = await runCli(['rollback', '20260101000000_add_columns'], { cwd: dir, env });
    expect(rollback.code, rollback.stderr).toBe(0);
    const columns = await db.client.query(`SELECT attname FROM pg_attribute WHERE attrelid = '"Accounts"'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`);
    expect(columns.rows.map((r: { attname: string }) => r.attname)).toEqual(['id', 'Email']);
    expect((await db.client.query(`SELECT tgname FROM pg_trigger WHERE tgrelid = '"Accounts"'::regclass AND NOT tgisinternal`)).rows).toEqual([]);
  });

  it('generates SQL that lints clean', async () => {
    const dir = await writeOperationProject(project);
    const lint = await runCli(['lint', '--json'], { cwd: dir });
    expect(lint.code, lint.stderr).toBe(0);
    expect((JSON.parse(lint.stdout) as { findings: unknown[] }).findings).toEqual([]);
  });
});
