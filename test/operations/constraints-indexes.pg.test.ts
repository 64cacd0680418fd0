import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';
import { writeOperationProject, type OperationProject, type RehearsalJson } from './rehearse-helpers.js';

const db = useTestDatabase();

const schema = `CREATE TYPE "Mood" AS ENUM ('ok', 'sad');
CREATE TABLE customers (id bigint PRIMARY KEY);
INSERT INTO customers SELECT generate_series(1, 100);
CREATE TABLE "Orders" (
  id bigserial PRIMARY KEY, customer_id bigint, total numeric NOT NULL, "Ref" text, mood "Mood" NOT NULL DEFAULT 'ok', note text,
  CONSTRAINT "total's floor" CHECK (total > 10),
  CONSTRAINT note_short CHECK (length(note) < 5)
);
CREATE INDEX "Orders_note_idx" ON "Orders" (note);
INSERT INTO "Orders" (customer_id, total, "Ref", note) SELECT 1 + g % 100, 20 + g, 'R' || g, 'n' FROM generate_series(1, 1000) g;
`;

/* Constraints and indexes in one migration (its expand can be rolled back); the enum label, which cannot, in its own. */
const constraints = `import { defineMigration, ops } from 'phasegate';
export default defineMigration({
  description: 'constraints and indexes of orders',
  operations: [
    ops.addConstraint({ table: 'Orders', name: 'total_positive', type: 'check', check: 'total > 0' }),
    ops.addConstraint({ table: 'Orders', name: 'Orders_customer_fk', type: 'foreignKey', columns: ['customer_id'], references: { table: 'customers', columns: ['id'], onDelete: 'CASCADE' } }),
    ops.addConstraint({ table: 'Orders', name: 'Orders "Ref" key', type: 'unique', columns: ['Ref'] }),
    ops.dropConstraint({ table: 'Orders', name: "total's floor", definition: { type: 'check', check: 'total > 10' } }),
    ops.dropConstraint({ table: 'Orders', name: 'note_short' }),
    ops.createIndex({ table: 'Orders', name: 'Orders_lower_ref_idx', expression: 'lower("Ref")', where: 'note IS NOT NULL' }),
    ops.dropIndex({ name: 'Orders_note_idx' }),
  ],
  gates: { contract: { app: 'api', version: '>=2.0.0' } },
});
`;

const enumValue = `import { defineMigration, ops } from 'phasegate';
export default defineMigration({
  description: "a mood between ok and sad",
  operations: [ops.addEnumValue({ type: 'Mood', value: "it's fine", after: 'ok' })],
});
`;

const project: OperationProject = {
  schema,
  migrations: { '20260101000000_order_constraints.ts': constraints, '20260101000001_mood_value.ts': enumValue },
  oldApp: `INSERT INTO "Orders" (customer_id, total, "Ref", note) VALUES (5, 50, 'Old-' || gen_random_uuid(), 'ok');
UPDATE "Orders" SET total = 60 WHERE id = 1;
-- assert
SELECT mood = 'ok' AND total = 60 FROM "Orders" WHERE id = 1;
SELECT id FROM "Orders" WHERE note = 'n' ORDER BY id LIMIT 1;
`,
  // From the end of expand: the relaxed CHECK lets a total of 5 in; the new constraints hold for new rows.
  newApp: `INSERT INTO "Orders" (customer_id, total, "Ref", note, mood) VALUES (7, 5, 'New-' || gen_random_uuid(), 'abc', 'it''s fine');
-- assert
SELECT total = 5 AND mood = 'it''s fine' FROM "Orders" WHERE id = currval('"Orders_id_seq"');
DO $$ BEGIN INSERT INTO "Orders" (customer_id, total, "Ref") VALUES (1, 50, 'R1'); RAISE EXCEPTION 'a duplicate Ref got in'; EXCEPTION WHEN unique_violation THEN END $$;
DO $$ BEGIN INSERT INTO "Orders" (customer_id, total, "Ref") VALUES (100000, 50, 'x'); RAISE EXCEPTION 'an unknown customer got in'; EXCEPTION WHEN foreign_key_violation THEN END $$;
DO $$ BEGIN INSERT INTO "Orders" (customer_id, total, "Ref") VALUES (1, -1, 'y'); RAISE EXCEPTION 'a negative total got in'; EXCEPTION WHEN check_violation THEN END $$;
-- assert
SELECT enum_range(NULL::"Mood")::text = '{ok,"it''s fine",sad}';
`,
};

/** After contract: the relaxations that wait for it, and every constraint validated. */
const afterContract = `INSERT INTO "Orders" (customer_id, total, "Ref", note) VALUES (7, 50, 'Late-' || gen_random_uuid(), 'a long note');
-- assert
SELECT count(*) = 3 FROM pg_constraint WHERE conrelid = '"Orders"'::regclass AND conname IN ('total_positive', 'Orders_customer_fk', 'Orders "Ref" key') AND convalidated;
-- assert
SELECT contype = 'u' FROM pg_constraint WHERE conname = 'Orders "Ref" key';
-- assert
SELECT to_regclass('"Orders_note_idx"') IS NULL AND to_regclass('"Orders_lower_ref_idx"') IS NOT NULL;
-- assert
SELECT NOT EXISTS (SELECT FROM pg_constraint WHERE conname IN ('total''s floor', 'note_short'));
`;

describe('ops.addConstraint, dropConstraint, createIndex, dropIndex, addEnumValue', () => {
  it('keep the old app working until contract and the new app from the end of expand, and end in the new shape', async () => {
    const dir = await writeOperationProject(project);
    await writeFile(path.join(dir, 'app', 'late.sql'), afterContract);
    const config = path.join(dir, 'phasegate.config.ts');
    await writeFile(config, (await readFile(config, 'utf8')).replace("newApp: 'app/new.sql'", "newApp: 'app/new.sql', apps: [{ name: 'late', check: 'app/late.sql', from: 'contract', until: 'end' }]"));
    const result = await runCli(['rehearse', '--scratch-url', inject('adminUrl'), '--json'], { cwd: dir });
    const report = JSON.parse(result.stdout) as RehearsalJson;
    expect(report.failures, result.stderr).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.steps.at(-1)?.apps['late']).toBe('works');
  });

  it('rolls back expand: the dropped CHECK comes back, the new constraints and indexes go; the enum label cannot be rolled back', async () => {
    const dir = await writeOperationProject(project);
    await db.client.query(schema);
    const env = { DATABASE_URL: db.url };
    const advance = await runCli(['advance'], { cwd: dir, env });
    expect(advance.code, advance.stderr).toBe(3); // at contract's gate, after both expands
    const objects = async (): Promise<string[]> =>
      (
        await db.client.query<{ name: string }>(
          `SELECT conname AS name FROM pg_constraint WHERE conrelid = '"Orders"'::regclass AND contype NOT IN ('p', 'n') UNION SELECT relname FROM pg_class WHERE relkind = 'i' AND relname LIKE 'Orders%' AND relname <> 'Orders_pkey' ORDER BY 1`,
        )
      ).rows.map((r) => r.name);
    expect(await objects()).toEqual(['Orders "Ref" key', 'Orders_customer_fk', 'Orders_lower_ref_idx', 'Orders_note_idx', 'note_short', 'total_positive']);
    const refused = await runCli(['rollback', '20260101000001_mood_value'], { cwd: dir, env });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('has no down');
    const rollback = await runCli(['rollback', '20260101000000_order_constraints'], { cwd: dir, env });
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(await objects()).toEqual(['Orders_note_idx', 'note_short', "total's floor"]);
  });

  it('generates SQL that lints clean', async () => {
    const dir = await writeOperationProject(project);
    const lint = await runCli(['lint', '--json'], { cwd: dir });
    expect(lint.code, lint.stderr).toBe(0);
    expect((JSON.parse(lint.stdout) as { findings: unknown[] }).findings).toEqual([]);
  });
});
