import { describe, expect, it } from 'vitest';
import { ops } from '../../src/index.js';
import { buildMigration, type Migration, type Phase } from '../../src/plan/index.js';

const build = (definition: object): Migration => buildMigration('20260101000000_ops', 'migrations/20260101000000_ops.ts', definition);

/** Per phase: its SQL steps (`[no tx]` marks a step outside a transaction), its backfill and verify, and its down. */
function phases(migration: Migration): Partial<Record<Phase, { sql: string[]; backfill?: object; verify?: string; down: readonly string[] | undefined }>> {
  return Object.fromEntries(
    migration.units.map((unit) => [
      unit.phase,
      {
        sql: unit.steps.flatMap((s) => (s.kind === 'sql' ? [`${s.transactional ? '' : '[no tx] '}${s.sql}`] : [])),
        ...Object.fromEntries(unit.steps.flatMap((s): [string, unknown][] => (s.kind === 'backfill' ? [['backfill', s.spec]] : s.kind === 'verify' ? [['verify', s.query]] : []))),
        down: unit.down,
      },
    ]),
  );
}

const names = (sql: string): string[] => [...sql.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => (m[1] ?? '').replaceAll('""', '"'));

describe('ops.addColumn', () => {
  it('adds a NOT NULL computed column nullable in expand, fills it by trigger and backfill, and tightens it in contract', () => {
    const p = phases(build({ operations: [ops.addColumn({ table: 'Users', schema: 'app', column: { name: 'email"norm', type: 'text', nullable: false, unique: true, default: "''" }, up: 'lower(email)' })] }));
    expect(p.expand?.sql).toEqual(['ALTER TABLE "app"."Users"\n  ADD COLUMN "email""norm" text']);
    expect(p.expand?.down).toEqual(['ALTER TABLE "app"."Users" DROP COLUMN IF EXISTS "email""norm"']);
    expect(p.dualWrite?.sql[1]).toBe('CREATE TRIGGER "pgate_Users_email""norm_fill" BEFORE INSERT OR UPDATE ON "app"."Users" FOR EACH ROW EXECUTE FUNCTION "app"."pgate_Users_email""norm_fill"()');
    expect(p.dualWrite?.sql[0]).toContain(`NEW."email""norm" := (SELECT CAST((lower(email)) AS text) FROM (SELECT NEW.*) AS "Users")`);
    expect(p.dualWrite?.down).toEqual(['DROP TRIGGER IF EXISTS "pgate_Users_email""norm_fill" ON "app"."Users"', 'DROP FUNCTION IF EXISTS "app"."pgate_Users_email""norm_fill"()']);
    expect(p.backfill).toEqual({
      sql: [],
      backfill: { table: '"app"."Users"', set: '"email""norm" = CAST((lower(email)) AS text)', where: '"email""norm" IS NULL AND CAST((lower(email)) AS text) IS NOT NULL' },
      verify: 'SELECT count(*) FROM "app"."Users" WHERE "email""norm" IS NULL',
      down: [],
    });
    expect(p.contract?.sql).toEqual([
      `ALTER TABLE "app"."Users" ALTER COLUMN "email""norm" SET DEFAULT ''`,
      'ALTER TABLE "app"."Users" ADD CONSTRAINT "pgate_Users_email""norm_not_null" CHECK ("email""norm" IS NOT NULL) NOT VALID',
      'ALTER TABLE "app"."Users" VALIDATE CONSTRAINT "pgate_Users_email""norm_not_null"',
      'ALTER TABLE "app"."Users" ALTER COLUMN "email""norm" SET NOT NULL',
      'ALTER TABLE "app"."Users" DROP CONSTRAINT "pgate_Users_email""norm_not_null"',
      '[no tx] CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "pgate_Users_email""norm_key" ON "app"."Users" ("email""norm")',
      'ALTER TABLE "app"."Users" ADD CONSTRAINT "pgate_Users_email""norm_key" UNIQUE USING INDEX "pgate_Users_email""norm_key"',
      'DROP TRIGGER IF EXISTS "pgate_Users_email""norm_fill" ON "app"."Users"',
      'DROP FUNCTION IF EXISTS "app"."pgate_Users_email""norm_fill"()',
    ]);
    expect(p.drop).toBeUndefined();
  });

  it('adds a column with a constant default at once, its CHECK and FOREIGN KEY NOT VALID, validated in contract; no trigger, no backfill', () => {
    const migration = build({
      operations: [
        ops.addColumn({
          table: 'orders',
          column: { name: 'plan', type: 'text', nullable: false, default: "'free'", check: { constraint: "plan <> ''" }, references: { table: 'plans', column: 'code', onDelete: 'SET DEFAULT' } },
        }),
      ],
    });
    const p = phases(migration);
    expect(p.expand?.sql).toEqual([
      `ALTER TABLE "orders"\n  ADD COLUMN "plan" text DEFAULT 'free',\n  ADD CONSTRAINT "pgate_orders_plan_check" CHECK (plan <> '') NOT VALID,\n  ADD CONSTRAINT "pgate_orders_plan_fkey" FOREIGN KEY ("plan") REFERENCES "plans" ("code") ON DELETE SET DEFAULT NOT VALID`,
    ]);
    expect(Object.keys(p)).toEqual(['expand', 'contract']);
    expect(p.contract?.sql.slice(-2)).toEqual(['ALTER TABLE "orders" VALIDATE CONSTRAINT "pgate_orders_plan_check"', 'ALTER TABLE "orders" VALIDATE CONSTRAINT "pgate_orders_plan_fkey"']);
    expect(migration.operationFragments).toEqual([
      { field: 'operations.0.column.type', kind: 'typeName', sql: 'text' },
      { field: 'operations.0.column.default', kind: 'expression', sql: "'free'" },
      { field: 'operations.0.column.check.constraint', kind: 'condition', sql: "plan <> ''" },
    ]);
    expect(migration.requiredNames).toEqual([
      { field: 'operations.0.table', schema: undefined, table: 'orders' },
      { field: 'operations.0.column.references', schema: undefined, table: 'plans', column: 'code' },
    ]);
  });

  it('keeps generated names within 63 bytes, distinct for distinct long names', () => {
    const long = 'a'.repeat(60);
    const sql = [`${long}_1`, `${long}_2`].flatMap((table) =>
      build({ operations: [ops.addColumn({ table, column: { name: 'c', type: 'int', nullable: false, unique: true }, up: '1' })] }).units.flatMap((u) => u.steps.flatMap((s) => (s.kind === 'sql' ? [s.sql] : []))),
    );
    const generated = [...new Set(sql.flatMap(names).filter((n) => n.startsWith('pgate_')))];
    expect(generated.length).toBe(6); // fill function, not-null check, unique key, for each table
    for (const name of generated) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
  });

  it('puts a comment-ended up on a line of its own, so it cannot swallow the generated SQL after it', () => {
    const p = phases(build({ operations: [ops.addColumn({ table: 't', column: { name: 'c', type: 'int' }, up: 'a + 1 -- one more' })] }));
    expect(p.backfill?.backfill).toMatchObject({ set: '"c" = CAST((a + 1 -- one more\n) AS int)' });
  });

  it('refuses a NOT NULL column nothing fills, and names the field', () => {
    expect(() => build({ operations: [ops.addColumn({ table: 't', column: { name: 'c', type: 'int', nullable: false } })] })).toThrow(
      /migrations\/20260101000000_ops\.ts: operations\.0\.column\.nullable: false needs up .* or column\.default/,
    );
    expect(() => build({ operations: [{ op: 'addColumn', table: 't', column: { name: 'c' } }] })).toThrow(/operations\.0\.column\.type: Invalid input: expected string/);
  });
});

describe('ops.dropColumn', () => {
  it('without down: relaxes NOT NULL in expand only where it is set, records that, and drops the column in drop', () => {
    const p = phases(build({ operations: [ops.dropColumn({ table: 'Users', column: "it's" })], gates: { drop: { marker: 'v1-gone' } } }));
    expect(Object.keys(p)).toEqual(['expand', 'drop']);
    expect(p.expand?.sql[0]).toContain(`WHERE attrelid = '"Users"'::regclass AND attname = 'it''s' AND attnotnull) THEN`);
    expect(p.expand?.sql[0]).toContain(`ALTER TABLE "Users" ALTER COLUMN "it's" DROP NOT NULL, ADD CONSTRAINT "pgate_Users_it's_was_not_null" CHECK ("it's" IS NULL OR "it's" IS NOT NULL) NOT VALID;`);
    expect(p.expand?.down?.[0]).toContain(`conname = 'pgate_Users_it''s_was_not_null') THEN\n    ALTER TABLE "Users" ALTER COLUMN "it's" SET NOT NULL, DROP CONSTRAINT "pgate_Users_it's_was_not_null";`);
    expect(p.drop?.sql).toEqual([`ALTER TABLE "Users" DROP COLUMN "it's"`]);
  });

  it('with down: a trigger fills the column for the new app until contract, which allows NULL before retiring it', () => {
    const migration = build({ operations: [ops.dropColumn({ table: 'users', column: 'nick', down: 'lower(name)' })], gates: { drop: { marker: 'v1-gone' } } });
    const p = phases(migration);
    expect(Object.keys(p)).toEqual(['dualWrite', 'contract', 'drop']);
    expect(p.dualWrite?.sql[0]).toContain('NEW."nick" := (SELECT (lower(name)) FROM (SELECT NEW.*) AS "users")');
    expect(p.dualWrite?.down).toBeDefined();
    expect(p.contract?.sql).toEqual(['ALTER TABLE "users" ALTER COLUMN "nick" DROP NOT NULL', 'DROP TRIGGER IF EXISTS "pgate_users_nick_fill" ON "users"', 'DROP FUNCTION IF EXISTS "pgate_users_nick_fill"()']);
    expect(migration.operationFragments).toEqual([{ field: 'operations.0.down', kind: 'expression', sql: 'lower(name)' }]);
    expect(migration.requiredNames).toEqual([{ field: 'operations.0.column', schema: undefined, table: 'users', column: 'nick' }]);
  });

  it('needs the drop gate like any drop phase', () => {
    expect(() => build({ operations: [ops.dropColumn({ table: 'users', column: 'nick' })] })).toThrow(/gates\.drop: is required/);
  });
});

describe('ops.addConstraint and ops.dropConstraint', () => {
  it('adds CHECK and FOREIGN KEY NOT VALID in expand (undoable) and validates them in contract', () => {
    const migration = build({
      operations: [
        ops.addConstraint({ table: 'orders', name: 'total_positive', type: 'check', check: 'total > 0' }),
        ops.addConstraint({ table: 'orders', schema: 's', name: 'fk', type: 'foreignKey', columns: ['a', 'b'], references: { table: 'p', schema: 's', columns: ['x', 'y'], onDelete: 'CASCADE', onUpdate: 'RESTRICT' } }),
      ],
    });
    const p = phases(migration);
    expect(p.expand?.sql).toEqual([
      'ALTER TABLE "orders" ADD CONSTRAINT "total_positive" CHECK (total > 0) NOT VALID',
      'ALTER TABLE "s"."orders" ADD CONSTRAINT "fk" FOREIGN KEY ("a", "b") REFERENCES "s"."p" ("x", "y") ON DELETE CASCADE ON UPDATE RESTRICT NOT VALID',
    ]);
    expect(p.expand?.down).toEqual(['ALTER TABLE "s"."orders" DROP CONSTRAINT IF EXISTS "fk"', 'ALTER TABLE "orders" DROP CONSTRAINT IF EXISTS "total_positive"']);
    expect(p.contract?.sql).toEqual(['ALTER TABLE "orders" VALIDATE CONSTRAINT "total_positive"', 'ALTER TABLE "s"."orders" VALIDATE CONSTRAINT "fk"']);
    expect(migration.operationFragments).toEqual([{ field: 'operations.0.check', kind: 'condition', sql: 'total > 0' }]);
    expect(migration.requiredNames.map((r) => `${r.field}=${r.table}.${r.column ?? ''}`)).toEqual([
      'operations.0.table=orders.',
      'operations.1.table=orders.',
      'operations.1.columns.0=orders.a',
      'operations.1.columns.1=orders.b',
      'operations.1.references.columns.0=p.x',
      'operations.1.references.columns.1=p.y',
    ]);
  });

  it('adds UNIQUE through a concurrent index in expand and USING INDEX in contract', () => {
    const p = phases(build({ operations: [ops.addConstraint({ table: 'Orders', name: 'Orders "Ref" key', type: 'unique', columns: ['Ref', 'b'] })] }));
    expect(p.expand?.sql).toEqual(['[no tx] CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "Orders ""Ref"" key" ON "Orders" ("Ref", "b")']);
    expect(p.expand?.down).toEqual(['DROP INDEX IF EXISTS "Orders ""Ref"" key"']);
    expect(p.contract?.sql).toEqual(['ALTER TABLE "Orders" ADD CONSTRAINT "Orders ""Ref"" key" UNIQUE USING INDEX "Orders ""Ref"" key"']);
  });

  it('drops a constraint in expand when its definition lets rollback re-add it, else in contract', () => {
    const p = phases(
      build({
        operations: [
          ops.dropConstraint({ table: 'orders', name: 'floor', definition: { type: 'check', check: 'total > 10' } }),
          ops.dropConstraint({ table: 'orders', name: 'orders_ref_key' }),
        ],
      }),
    );
    expect(p.expand).toEqual({ sql: ['ALTER TABLE "orders" DROP CONSTRAINT "floor"'], down: ['ALTER TABLE "orders" ADD CONSTRAINT "floor" CHECK (total > 10)'] });
    expect(p.contract?.sql).toEqual(['ALTER TABLE "orders" DROP CONSTRAINT "orders_ref_key"']);
  });

  it('names the field of a bad constraint', () => {
    expect(() => build({ operations: [{ op: 'addConstraint', table: 't', name: 'c', type: 'primaryKey' }] })).toThrow(/operations\.0\.type: expected type 'check', 'foreignKey' or 'unique'/);
    expect(() => build({ operations: [ops.addConstraint({ table: 't', name: 'c', type: 'foreignKey', columns: ['a', 'b'], references: { table: 'p', columns: ['id'] } })] })).toThrow(
      /operations\.0\.references\.columns: names 1 column\(s\) but columns names 2/,
    );
    expect(() => build({ operations: [{ op: 'addConstraint', table: 't', name: 'c', type: 'check', check: 'a > 0', columns: ['a'] }] })).toThrow(/operations\.0: Unrecognized key: "columns"/);
    expect(() => build({ operations: [{ op: 'dropConstraint', table: 't', name: 'c', definition: { type: 'unique' } }] })).toThrow(/operations\.0\.definition\.columns: Invalid input/);
    expect(() =>
      build({ operations: [ops.dropConstraint({ table: 't', name: 'c', definition: { type: 'foreignKey', columns: ['a'], references: { table: 'p', columns: ['id'], onDelete: 'cascade' as 'CASCADE' } } })] }),
    ).toThrow(/operations\.0\.definition\.references\.onDelete: expected 'NO ACTION'/);
  });
});

describe('ops.createIndex and ops.dropIndex', () => {
  it('builds an index concurrently and idempotently in expand, undone by a plain DROP INDEX (rollback runs in a transaction)', () => {
    const migration = build({
      operations: [ops.createIndex({ table: 'Orders', schema: 'app', name: 'Orders_ref', columns: ['a', 'B'], expression: 'lower(ref)', unique: true, method: 'btree', include: ['c'], where: 'deleted_at IS NULL' })],
    });
    const p = phases(migration);
    expect(p.expand?.sql).toEqual(['[no tx] CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "Orders_ref" ON "app"."Orders" USING btree ("a", "B", (lower(ref))) INCLUDE ("c") WHERE deleted_at IS NULL']);
    expect(p.expand?.down).toEqual(['DROP INDEX IF EXISTS "app"."Orders_ref"']);
    expect(Object.keys(p)).toEqual(['expand']);
    expect(migration.operationFragments.map((f) => `${f.field}:${f.kind}`)).toEqual(['operations.0.expression:expression', 'operations.0.where:condition']);
  });

  it('drops an index concurrently in contract, once the old app that may use it is gone', () => {
    const p = phases(build({ operations: [ops.dropIndex({ name: 'Orders_ref', schema: 'app' })] }));
    expect(p).toEqual({ contract: { sql: ['[no tx] DROP INDEX CONCURRENTLY IF EXISTS "app"."Orders_ref"'], down: undefined } });
  });

  it('refuses an index of nothing and an unknown method', () => {
    expect(() => build({ operations: [ops.createIndex({ table: 't', name: 'i' })] })).toThrow(/operations\.0\.columns: or expression is required/);
    expect(() => build({ operations: [{ op: 'createIndex', table: 't', name: 'i', columns: ['a'], method: 'fast' }] })).toThrow(/operations\.0\.method: expected 'btree'/);
    expect(() => build({ operations: [ops.dropIndex({ name: 'x'.repeat(64) })] })).toThrow(/operations\.0\.name: must fit in 63 bytes/);
  });
});

describe('ops.addEnumValue', () => {
  it('adds the label outside a transaction, idempotently, and leaves expand without a down (rollback refuses it)', () => {
    const p = phases(build({ operations: [ops.addEnumValue({ type: 'Mood', schema: 'app', value: "it's fine", before: 'sad' })] }));
    expect(p).toEqual({ expand: { sql: [`[no tx] ALTER TYPE "app"."Mood" ADD VALUE IF NOT EXISTS 'it''s fine' BEFORE 'sad'`], down: undefined } });
    const merged = phases(build({ operations: [ops.createIndex({ table: 't', name: 'i', columns: ['a'] }), ops.addEnumValue({ type: 'mood', value: 'x', after: 'ok' })] }));
    expect(merged.expand?.down).toBeUndefined();
  });

  it('refuses before and after together', () => {
    expect(() => build({ operations: [ops.addEnumValue({ type: 'mood', value: 'x', before: 'a', after: 'b' })] })).toThrow(/operations\.0\.after: cannot be given with before/);
  });
});

describe('every operation of this family', () => {
  const long = 'T'.repeat(63);
  const samples = [
    ops.addColumn({ table: long, column: { name: long, type: 'int', nullable: false, unique: true, check: { constraint: 'true' }, references: { table: 'p', column: 'id' } }, up: '1' }),
    ops.dropColumn({ table: long, column: long }),
    ops.dropColumn({ table: long, column: `${long.slice(1)}x`, down: '1' }),
    ops.addConstraint({ table: long, name: long, type: 'unique', columns: [long] }),
    ops.addConstraint({ table: long, name: `${long.slice(1)}c`, type: 'check', check: 'true' }),
    ops.dropConstraint({ table: long, name: `${long.slice(1)}d`, definition: { type: 'check', check: 'true' } }),
    ops.createIndex({ table: long, name: `${long.slice(1)}i`, columns: [long] }),
  ];

  it('leaves every phase before contract undoable, and every generated name within 63 bytes', () => {
    const migration = build({ operations: samples, gates: { drop: { marker: 'v1-gone' } } });
    for (const unit of migration.units.filter((u) => u.phase === 'expand' || u.phase === 'dualWrite' || u.phase === 'backfill')) expect(unit.down, unit.phase).toBeDefined();
    const sql = migration.units.flatMap((u) => [...u.steps.flatMap((s) => (s.kind === 'sql' ? [s.sql] : [])), ...(u.down ?? [])]);
    const generated = new Set(sql.flatMap(names).filter((n) => n.startsWith('pgate_')));
    expect(generated.size).toBeGreaterThan(5);
    for (const name of generated) expect(Buffer.byteLength(name), name).toBeLessThanOrEqual(63);
  });
});
