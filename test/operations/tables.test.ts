import { describe, expect, it } from 'vitest';
import { ops } from '../../src/index.js';
import { buildMigration, type Migration, type Phase } from '../../src/plan/index.js';

const build = (definition: object): Migration => buildMigration('20260101000000_ops', 'migrations/20260101000000_ops.ts', definition);
const GATES = { drop: { marker: 'v1-retired' } };

const sqlOf = (migration: Migration, phase: Phase): string[] =>
  migration.units.find((u) => u.phase === phase)?.steps.flatMap((s) => (s.kind === 'sql' ? [s.sql] : s.kind === 'verify' ? [`verify: ${s.query}`] : [])) ?? [];
const downOf = (migration: Migration, phase: Phase): readonly string[] | undefined => migration.units.find((u) => u.phase === phase)?.down;
/** Every generated name (functions, triggers, constraints) the migration's statements use, once each. */
const generatedNames = (migration: Migration): string[] => [
  ...new Set(migration.units.flatMap((u) => u.steps.flatMap((s) => (s.kind === 'sql' ? [...s.sql.matchAll(/"(pgate_(?:[^"]|"")+)"/g)].map((m) => m[1] ?? '') : [])))),
];

describe('ops.createTable', () => {
  it('creates the table with its constraints in expand, drops it on rollback, and hands its SQL fragments to the parser by field', () => {
    const migration = build({
      operations: [
        ops.createTable({
          table: 'Orders',
          schema: 'shop',
          columns: [
            { name: 'id', type: 'bigint', primaryKey: true },
            { name: 'account "id"', type: 'bigint', nullable: false, references: { table: 'accounts', column: 'id', onDelete: 'CASCADE' } },
            { name: 'price', type: 'numeric(10,2)', default: '0', check: 'price >= 0', unique: true },
          ],
        }),
      ],
    });
    expect(migration.units.map((u) => u.phase)).toEqual(['expand']);
    expect(sqlOf(migration, 'expand')).toEqual([
      [
        'CREATE TABLE "shop"."Orders" (',
        '  "id" bigint,',
        '  "account ""id""" bigint NOT NULL REFERENCES "accounts" ("id") ON DELETE CASCADE,',
        '  "price" numeric(10,2) DEFAULT (0) UNIQUE CHECK (price >= 0),',
        '  PRIMARY KEY ("id")',
        ')',
      ].join('\n'),
    ]);
    expect(downOf(migration, 'expand')).toEqual(['DROP TABLE "shop"."Orders"']);
    expect(migration.operationFragments).toEqual([
      { field: 'operations.0.columns.0.type', kind: 'typeName', sql: 'bigint' },
      { field: 'operations.0.columns.1.type', kind: 'typeName', sql: 'bigint' },
      { field: 'operations.0.columns.2.type', kind: 'typeName', sql: 'numeric(10,2)' },
      { field: 'operations.0.columns.2.default', kind: 'expression', sql: '0' },
      { field: 'operations.0.columns.2.check', kind: 'condition', sql: 'price >= 0' },
    ]);
    expect(migration.requiredNames).toEqual([{ field: 'operations.0.columns.1.references', schema: undefined, table: 'accounts', column: 'id' }]);
  });

  it('builds a composite key from every primaryKey column, and needs no existing table for a reference to itself or to a table created before', () => {
    const migration = build({
      operations: [
        ops.createTable({ table: 'tenants', columns: [{ name: 'id', type: 'int', primaryKey: true }] }),
        ops.createTable({
          table: 'nodes',
          columns: [
            { name: 'tenant', type: 'int', primaryKey: true, references: { table: 'tenants', column: 'id' } },
            { name: 'id', type: 'int', primaryKey: true },
            { name: 'parent', type: 'int', references: { table: 'nodes', column: 'id' } },
          ],
        }),
      ],
    });
    expect(sqlOf(migration, 'expand')[1]).toContain('PRIMARY KEY ("tenant", "id")');
    expect(migration.requiredNames).toEqual([]);
  });

  it('refuses a column listed twice, a nullable primary key, no columns and unknown keys, naming the field', () => {
    const bad = (columns: unknown[]): (() => Migration) => () => build({ operations: [{ op: 'createTable', table: 't', columns }] });
    expect(bad([{ name: 'a', type: 'int' }, { name: 'a', type: 'text' }])).toThrow(/operations\.0\.columns\.1\.name: "a" is listed twice/);
    expect(bad([{ name: 'a', type: 'int', primaryKey: true, nullable: true }])).toThrow(/operations\.0\.columns\.0: a primary key column cannot be nullable/);
    expect(bad([])).toThrow(/operations\.0\.columns: must list at least one column/);
    expect(bad([{ name: 'a', type: 'int', pk: true }])).toThrow(/operations\.0\.columns\.0: .*pk/);
    expect(bad([{ name: 'a', type: ' ' }])).toThrow(/operations\.0\.columns\.0\.type: must not be empty/);
  });
});

describe('ops.dropTable', () => {
  it('does nothing before the drop phase, which drops the table without CASCADE and needs gates.drop', () => {
    const migration = build({ operations: [ops.dropTable({ table: 'Legacy"Log' })], gates: GATES });
    expect(migration.units.map((u) => [u.phase, u.gate])).toEqual([['drop', { kind: 'marker', name: 'v1-retired' }]]);
    expect(sqlOf(migration, 'drop')).toEqual(['DROP TABLE "Legacy""Log"']);
    expect(migration.requiredNames).toEqual([{ field: 'operations.0.table', schema: undefined, table: 'Legacy"Log' }]);
    expect(() => build({ operations: [ops.dropTable({ table: 'legacy_log' })] })).toThrow(/gates\.drop: is required/);
  });
});

describe('ops.renameTable', () => {
  it('renames and puts a view with the table\'s privileges (checked as the app from PostgreSQL 15) under the old name in one expand step, undone in one transaction, and drops the view in drop', () => {
    const migration = build({ operations: [ops.renameTable({ from: 'Notes', to: 'it\'s "notes"', schema: 'app' })], gates: GATES });
    expect(migration.units.map((u) => u.phase)).toEqual(['expand', 'drop']);
    const [expand] = sqlOf(migration, 'expand');
    expect(expand).toContain('ALTER TABLE "app"."Notes" RENAME TO "it\'s ""notes""";\nCREATE VIEW "app"."Notes" AS SELECT * FROM "app"."it\'s ""notes""";');
    expect(expand).toContain(`WHERE c.oid = '"app"."it''s ""notes"""'::regclass`);
    expect(expand).toContain(`privilege.privilege_type, '"app"."Notes"'`);
    expect(expand).toContain(`EXECUTE format('ALTER VIEW %s SET (security_invoker = true)', '"app"."Notes"')`);
    expect(downOf(migration, 'expand')).toEqual(['DROP VIEW "app"."Notes"', 'ALTER TABLE "app"."it\'s ""notes""" RENAME TO "Notes"']);
    expect(sqlOf(migration, 'drop')).toEqual(['DROP VIEW "app"."Notes"']);
    expect(migration.requiredNames).toEqual([{ field: 'operations.0.from', schema: 'app', table: 'Notes' }]);
  });

  it('lets a later operation of the migration use the new name, and refuses a rename to the same name', () => {
    const migration = build({ operations: [ops.renameTable({ from: 'a', to: 'b' }), ops.dropTable({ table: 'b' })], gates: GATES });
    expect(migration.requiredNames).toEqual([{ field: 'operations.0.from', schema: undefined, table: 'a' }]);
    expect(() => build({ operations: [ops.renameTable({ from: 'a', to: 'a' })], gates: GATES })).toThrow(/operations\.0\.to: from and to are the same name/);
  });
});

describe('ops.moveColumns', () => {
  const split = build({
    operations: [ops.moveColumns({ from: 'Users', to: 'Profiles', key: 'Id', columns: ['Bio', "it's"] })],
    gates: GATES,
  });

  it('creates the keyed table from the old columns\' own types with the from-table\'s grants, relaxes them, and rolls back every phase before contract', () => {
    expect(split.units.map((u) => u.phase)).toEqual(['expand', 'dualWrite', 'backfill', 'contract', 'drop']);
    expect(sqlOf(split, 'expand')).toEqual([
      expect.stringContaining(
        'CREATE TABLE "Profiles" AS SELECT "Id", "Bio", "it\'s" FROM "Users" WITH NO DATA;\n' +
          'ALTER TABLE "Profiles" ADD PRIMARY KEY ("Id"),\n' +
          '  ADD CONSTRAINT "pgate_Profiles_Users_fk" FOREIGN KEY ("Id") REFERENCES "Users" ("Id") ON DELETE CASCADE ON UPDATE CASCADE NOT VALID;\n' +
          '-- phasegate:allow unanalysed-code',
      ),
      'ALTER TABLE "Profiles" VALIDATE CONSTRAINT "pgate_Profiles_Users_fk"',
      'ALTER TABLE "Users" ALTER COLUMN "Bio" DROP NOT NULL, ALTER COLUMN "it\'s" DROP NOT NULL',
    ]);
    // The triggers write "Profiles" as the role that wrote "Users": it gets the same grants.
    expect(sqlOf(split, 'expand')[0]).toContain(`WHERE c.oid = '"Users"'::regclass`);
    expect(sqlOf(split, 'expand')[0]).toContain(`privilege.privilege_type, '"Profiles"'`);
    expect(downOf(split, 'expand')).toEqual(['DROP TABLE "Profiles"']);
    for (const phase of ['dualWrite', 'backfill'] as const) expect(downOf(split, phase)).toBeDefined();
    expect(split.requiredNames.map((r) => `${r.field} ${r.table}.${r.column ?? ''}`)).toEqual(['operations.0.key Users.Id', 'operations.0.columns.0 Users.Bio', "operations.0.columns.1 Users.it's"]);
  });

  it('syncs both ways, the new app\'s writes winning: copies of new from-rows wait for COMMIT and never replace a to-row', () => {
    const dualWrite = sqlOf(split, 'dualWrite');
    expect(dualWrite[0]).toContain(`ON CONFLICT ("Id") DO UPDATE SET "Bio" = EXCLUDED."Bio", "it's" = EXCLUDED."it's"`);
    expect(dualWrite[0]).toContain('ON CONFLICT ("Id") DO NOTHING');
    expect(dualWrite.slice(1)).toEqual([
      `CREATE TRIGGER "pgate_Users_Profiles_split" AFTER UPDATE OF "Bio", "it's" ON "Users" FOR EACH ROW EXECUTE FUNCTION "pgate_Users_Profiles_split"()`,
      'CREATE CONSTRAINT TRIGGER "pgate_Users_Profiles_split_new" AFTER INSERT ON "Users" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "pgate_Users_Profiles_split"()',
      expect.stringContaining(`ROW(pgate_from."Bio", pgate_from."it's") IS DISTINCT FROM ROW(NEW."Bio", NEW."it's")`),
      'CREATE TRIGGER "pgate_Profiles_Users_merge_lock" BEFORE INSERT ON "Profiles" FOR EACH ROW EXECUTE FUNCTION "pgate_Profiles_Users_merge"()',
      'CREATE TRIGGER "pgate_Profiles_Users_merge" AFTER INSERT OR UPDATE ON "Profiles" FOR EACH ROW EXECUTE FUNCTION "pgate_Profiles_Users_merge"()',
    ]);
  });

  it('backfills only from-rows without a to-row, verifies both halves, retires the triggers in contract and drops the old columns', () => {
    const backfill = split.units.find((u) => u.phase === 'backfill')?.steps.find((s) => s.kind === 'backfill');
    expect(backfill?.kind === 'backfill' && backfill.spec).toMatchObject({
      table: '"Users"',
      set: '"Bio" = "Bio"',
      where: 'NOT EXISTS (SELECT FROM "Profiles" AS pgate_to WHERE pgate_to."Id" = "Users"."Id")',
    });
    expect(sqlOf(split, 'backfill')).toEqual([
      'verify: SELECT count(*) FROM "Users" AS pgate_from LEFT JOIN "Profiles" AS pgate_to ON pgate_to."Id" = pgate_from."Id"\n' +
        ` WHERE pgate_to."Id" IS NULL OR ROW(pgate_from."Bio", pgate_from."it's") IS DISTINCT FROM ROW(pgate_to."Bio", pgate_to."it's")`,
    ]);
    expect(sqlOf(split, 'contract').slice(0, 3)).toEqual([
      'DROP TRIGGER IF EXISTS "pgate_Users_Profiles_split_new" ON "Users"',
      'DROP TRIGGER IF EXISTS "pgate_Users_Profiles_split" ON "Users"',
      'DROP TRIGGER IF EXISTS "pgate_Profiles_Users_merge" ON "Profiles"',
    ]);
    expect(sqlOf(split, 'drop')).toEqual([`ALTER TABLE "Users" DROP COLUMN "Bio", DROP COLUMN "it's"`]);
  });

  it('joins on every column of a composite key, and keeps generated names within 63 bytes', () => {
    const long = 'a'.repeat(60);
    const migration = build({ operations: [ops.moveColumns({ from: `${long}_from`.slice(0, 63), to: `${long}_to`.slice(0, 63), key: ['tenant', 'id'], columns: ['x'], schema: 's' })], gates: GATES });
    expect(sqlOf(migration, 'backfill')[0]).toContain('ON pgate_to."tenant" = pgate_from."tenant" AND pgate_to."id" = pgate_from."id"');
    // The split function and its two triggers, the merge function and its two triggers, the foreign key: five distinct names.
    const names = generatedNames(migration);
    expect(names).toHaveLength(5);
    for (const name of names) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
  });

  it('refuses a key column among the moved ones, a move to the same table and an empty column list, naming the field', () => {
    const bad = (params: object): (() => Migration) => () => build({ operations: [{ op: 'moveColumns', from: 'u', to: 'p', key: 'id', columns: ['bio'], ...params }], gates: GATES });
    expect(bad({ columns: ['bio', 'id'] })).toThrow(/operations\.0\.columns\.1: "id" is listed twice \(in key or columns\)/);
    expect(bad({ to: 'u' })).toThrow(/operations\.0\.to: from and to are the same table/);
    expect(bad({ columns: [] })).toThrow(/operations\.0\.columns: must list at least one column/);
    expect(bad({ key: [] })).toThrow(/operations\.0\.key/);
  });
});
