import { describe, expect, it } from 'vitest';
import { ops } from '../../src/index.js';
import { buildMigration, type Migration, type Phase } from '../../src/plan/index.js';
import { runCli } from '../support/cli.js';
import { writeOperationProject } from './rehearse-helpers.js';

const build = (definition: object): Migration => buildMigration('20260101000000_alter', 'migrations/20260101000000_alter.ts', definition);
const gates = { drop: { marker: 'v1-retired' } };

const unit = (m: Migration, phase: Phase) => m.units.find((u) => u.phase === phase);
const sqlOf = (m: Migration, phase: Phase): string[] => (unit(m, phase)?.steps ?? []).flatMap((s) => (s.kind === 'sql' ? [s.sql] : []));

/** Every identifier written with double quotes in `sql`, unescaped. */
const quotedNames = (sql: string): string[] => [...sql.matchAll(/"((?:[^"]|"")+)"/g)].map((m) => (m[1] ?? '').replaceAll('""', '"'));

describe('ops.alterColumn compiled', () => {
  it('renames through a new column: added in expand, synced both ways, backfilled and verified, tightened in contract, old one dropped in drop', () => {
    const m = build({
      operations: [ops.alterColumn({ table: 'users', column: 'email', name: 'email_address', nullable: false, unique: true, check: { constraint: "email_address LIKE '%@%'" } })],
      gates,
    });
    expect(m.units.map((u) => u.phase)).toEqual(['expand', 'dualWrite', 'backfill', 'contract', 'drop']);
    expect(sqlOf(m, 'expand').join('\n')).toMatch(/EXECUTE format\('ALTER TABLE %s ADD COLUMN %I '/);
    expect(unit(m, 'expand')?.down).toEqual(['ALTER TABLE "users" DROP COLUMN IF EXISTS "email_address"']);
    expect(unit(m, 'dualWrite')?.down).toEqual(expect.arrayContaining([expect.stringMatching(/^DROP TRIGGER IF EXISTS "pgate_users_email_address_sync"/)]));
    expect(unit(m, 'backfill')?.down).toEqual([]);
    expect(unit(m, 'backfill')?.steps).toEqual([
      { kind: 'backfill', spec: { table: '"users"', set: '"email_address" = ("email")', where: '"email_address" IS DISTINCT FROM ("email")' } },
      { kind: 'verify', query: expect.stringMatching(/"email_address" IS DISTINCT FROM \("email"\).*\+.*"email_address" IS NULL/s) },
    ]);
    const contract = unit(m, 'contract');
    expect(contract?.down).toBeUndefined();
    const contractSql = sqlOf(m, 'contract');
    expect(contractSql.join('\n')).toMatch(/ADD CONSTRAINT "pgate_users_email_address_not_null" CHECK \("email_address" IS NOT NULL\) NOT VALID/);
    expect(contractSql).toContain(`ALTER TABLE "users" ADD CONSTRAINT "pgate_users_email_address_check" CHECK (email_address LIKE '%@%') NOT VALID`);
    expect(contractSql).toContain('ALTER TABLE "users" VALIDATE CONSTRAINT "pgate_users_email_address_check"');
    expect(contract?.steps.find((s) => s.kind === 'sql' && s.sql.startsWith('CREATE UNIQUE INDEX CONCURRENTLY'))).toMatchObject({ transactional: false });
    expect(contractSql).toContain('ALTER TABLE "users" ADD CONSTRAINT "pgate_users_email_address_key" UNIQUE USING INDEX "pgate_users_email_address_key"');
    // The trigger goes last, once everything the new app relies on is in place.
    expect(contractSql.at(-1)).toMatch(/^DROP FUNCTION IF EXISTS "pgate_users_email_address_sync"\(\)/);
    expect(sqlOf(m, 'drop')).toEqual(['ALTER TABLE "users" DROP COLUMN "email"']);
    expect(m.requiredNames).toEqual([{ field: 'operations.0.column', schema: undefined, table: 'users', column: 'email' }]);
  });

  it('casts to the new type, uses up/down as written, and adds a foreign key NOT VALID then validated', () => {
    const m = build({
      operations: [
        ops.alterColumn({ table: 'docs', schema: 'app', column: 'body', name: 'doc', type: 'jsonb', up: 'body::jsonb', down: 'doc::text', references: { table: 'teams', column: 'id', onDelete: 'CASCADE' } }),
      ],
      gates,
    });
    expect(sqlOf(m, 'expand')).toContain('ALTER TABLE "app"."docs" ADD COLUMN "doc" jsonb');
    expect(sqlOf(m, 'dualWrite')[0]).toMatch(/CAST\(\(body::jsonb\) AS jsonb\)[\s\S]*\(SELECT \(doc::text\) FROM/);
    expect(unit(m, 'backfill')?.steps[0]).toMatchObject({ spec: { set: '"doc" = CAST((body::jsonb) AS jsonb)' } });
    expect(sqlOf(m, 'contract')).toContain('ALTER TABLE "app"."docs" ADD CONSTRAINT "pgate_docs_doc_fkey" FOREIGN KEY ("doc") REFERENCES "teams" ("id") ON DELETE CASCADE NOT VALID');
    expect(m.operationFragments).toEqual([
      { field: 'operations.0.type', kind: 'typeName', sql: 'jsonb' },
      { field: 'operations.0.up', kind: 'expression', sql: 'body::jsonb' },
      { field: 'operations.0.down', kind: 'expression', sql: 'doc::text' },
    ]);
    expect(m.requiredNames.map((r) => r.field)).toEqual(['operations.0.column', 'operations.0.references.column']);
  });

  it('changes a type in place through a shadow column swapped in one transaction in contract', () => {
    const m = build({ operations: [ops.alterColumn({ table: 'orders', column: 'id', type: 'bigint', unique: true })], gates });
    expect(sqlOf(m, 'expand')).toContain('ALTER TABLE "orders" ADD COLUMN "pgate_orders_id_new" bigint');
    // One-way: the old app writes the old column until the swap.
    expect(sqlOf(m, 'dualWrite')[0]).not.toMatch(/NEW\."id" :=/);
    const contract = unit(m, 'contract')?.steps ?? [];
    expect(contract[0]).toMatchObject({ kind: 'sql', sql: 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "pgate_orders_id_key" ON "orders" ("pgate_orders_id_new")', transactional: false });
    const swap = sqlOf(m, 'contract').find((s) => s.includes('RENAME COLUMN')) ?? '';
    // The locks first (NOWAIT, all at once, when other tables' foreign keys point here), then the table's lock named statically, then the swap.
    expect(swap).toMatch(/^-- phasegate:allow unanalysed-code locks the tables[^\n]*\nDO \$pgate\$[\s\S]*NOWAIT[\s\S]*\$pgate\$;\n-- phasegate:allow lock-table .*\nLOCK TABLE "orders" IN ACCESS EXCLUSIVE MODE;\n-- phasegate:allow unanalysed-code /);
    expect(swap).toMatch(/PRIMARY KEY USING INDEX %I', tbl, key_name, 'pgate_orders_id_key'/);
    expect(swap).toMatch(/ALTER SEQUENCE %s OWNED BY/);
    expect(swap).toMatch(/RENAME COLUMN "id" TO "pgate_orders_id_old";\n {2}ALTER TABLE "orders" RENAME COLUMN "pgate_orders_id_new" TO "id"/);
    // Foreign keys to the key come back NOT VALID in the swap and are validated in the next step, which lets writes through.
    expect(swap).toMatch(/format\('ALTER TABLE %s ADD CONSTRAINT %I %s NOT VALID', fk\.child, fk\.conname, fk\.def\)/);
    expect(sqlOf(m, 'contract')[sqlOf(m, 'contract').indexOf(swap) + 1]).toMatch(/VALIDATE CONSTRAINT %I', fk\.child, fk\.conname/);
    expect(sqlOf(m, 'drop')).toEqual(['ALTER TABLE "orders" DROP COLUMN "pgate_orders_id_old"']);
  });

  it('tightens a column in place without copying it: relaxations in expand, constraints in contract', () => {
    const relaxed = build({ operations: [ops.alterColumn({ table: 'users', column: 'nick', nullable: true })] });
    expect(relaxed.units.map((u) => u.phase)).toEqual(['expand']);
    expect(sqlOf(relaxed, 'expand')).toEqual(['ALTER TABLE "users" ALTER COLUMN "nick" DROP NOT NULL']);
    expect(unit(relaxed, 'expand')?.down).toEqual([
      'ALTER TABLE "users" ADD CONSTRAINT "pgate_users_nick_not_null" CHECK ("nick" IS NOT NULL) NOT VALID',
      'ALTER TABLE "users" VALIDATE CONSTRAINT "pgate_users_nick_not_null"',
      'ALTER TABLE "users" ALTER COLUMN "nick" SET NOT NULL',
      'ALTER TABLE "users" DROP CONSTRAINT "pgate_users_nick_not_null"',
    ]);
    const tightened = build({ operations: [ops.alterColumn({ table: 'users', column: 'nick', nullable: false, default: "'anon'" })] });
    expect(tightened.units.map((u) => u.phase)).toEqual(['contract']);
    expect(sqlOf(tightened, 'contract')).toEqual([
      'ALTER TABLE "users" ADD CONSTRAINT "pgate_users_nick_not_null" CHECK ("nick" IS NOT NULL) NOT VALID',
      'ALTER TABLE "users" VALIDATE CONSTRAINT "pgate_users_nick_not_null"',
      'ALTER TABLE "users" ALTER COLUMN "nick" SET NOT NULL',
      'ALTER TABLE "users" DROP CONSTRAINT "pgate_users_nick_not_null"',
      `ALTER TABLE "users" ALTER COLUMN "nick" SET DEFAULT 'anon'`,
    ]);
  });

  it('quotes hostile names everywhere and keeps generated names within 63 bytes', () => {
    const table = `Très "long" table ${'x'.repeat(40)}`;
    const m = build({ operations: [ops.alterColumn({ table, column: "Col'umn", type: 'bigint', unique: true })], gates });
    const all = m.units.flatMap((u) => [...u.steps.map((s) => (s.kind === 'sql' ? s.sql : s.kind === 'verify' ? s.query : `${s.spec.table} ${s.spec.set}`)), ...(u.down ?? [])]).join('\n');
    expect(all).toContain('"Très ""long"" table');
    expect(all).toContain(`'Col''umn'`);
    for (const name of quotedNames(all)) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    // Every phase before contract can be rolled back.
    expect(m.units.filter((u) => ['expand', 'dualWrite', 'backfill'].includes(u.phase)).map((u) => [u.phase, u.down !== undefined])).toEqual([
      ['expand', true],
      ['dualWrite', true],
      ['backfill', true],
    ]);
  });

  it.each([
    [{ table: 'users', column: 'email', colour: 'red' }, /operations\.0: Unrecognized key: "colour"/],
    [{ table: 'users', column: 'email' }, /operations\.0\.column: nothing to change/],
    [{ table: 'users', column: 'email', name: 'email' }, /operations\.0\.name: is the column's current name/],
    [{ table: 'users', column: 'email', nullable: false, up: 'lower(email)' }, /operations\.0\.up: only applies when the column gets a new name or type/],
    [{ table: 'users', column: 'id', type: 'bigint', down: 'id::int' }, /operations\.0\.down: only applies with name/],
    [{ table: 'users', column: 'email', unique: false }, /operations\.0\.unique: only true is supported/],
    [{ table: 'users', column: 'email', name: 'e', type: '' }, /operations\.0\.type: must not be empty/],
    [{ table: 'users', column: 'email', check: { condition: 'true' } }, /operations\.0\.check\.constraint: .*\n.*operations\.0\.check: Unrecognized key: "condition"/],
    [{ table: 'users', column: 'x'.repeat(64), nullable: false }, /operations\.0\.column: must fit in 63 bytes/],
    [{ table: 'users', column: 'team', references: { table: 'teams', column: 'id', onDelete: 'EXPLODE' } }, /operations\.0\.references\.onDelete: /],
  ])('refuses %j naming the field', (params, message) => {
    expect(() => build({ operations: [{ op: 'alterColumn', ...params }], gates })).toThrow(message);
  });
});

describe('migrate lint on alterColumn', () => {
  const lint = async (operation: string, gates = "{ drop: { marker: 'v1-retired' } }"): Promise<{ code: number | null; out: string }> => {
    const dir = await writeOperationProject({
      schema: '',
      oldApp: 'SELECT 1;',
      newApp: 'SELECT 1;',
      migrations: {
        '20260101000000_alter.ts': `import { defineMigration, ops } from 'phasegate';\nexport default defineMigration({ description: 'x', operations: [${operation}], gates: ${gates} });\n`,
      },
    });
    const result = await runCli(['lint'], { cwd: dir });
    return { code: result.code, out: result.stdout + result.stderr };
  };

  it('finds nothing in the SQL generated for each plan', async () => {
    const operations = [
      `ops.alterColumn({ table: 'Users', column: "E'mail", name: 'Email_Address', nullable: false, unique: true, check: { constraint: '"Email_Address" <> \\'\\'' }, default: "''" })`,
      `ops.alterColumn({ table: 'docs', schema: 'app', column: 'body', name: 'doc', type: 'jsonb', up: "CASE WHEN left(body, 1) IN ('{', '[') THEN body::jsonb END", down: 'doc::text' })`,
      `ops.alterColumn({ table: 'orders', column: 'id', type: 'bigint', unique: true, references: { table: 'accounts', column: 'id' } })`,
      `ops.alterColumn({ table: 'users', column: 'team_id', nullable: false, unique: true, references: { table: 'teams', column: 'id', onDelete: 'SET NULL' } })`,
      `ops.alterColumn({ table: 'users', column: 'nick', nullable: true, default: null })`,
    ];
    for (const operation of operations) {
      // Only a copy has a drop phase to gate.
      const { code, out } = await lint(operation, /name:|type:/.test(operation) ? undefined : '{}');
      expect(out, operation).toMatch(/^0 error\(s\), 0 warning\(s\)/m);
      expect(out, operation).not.toMatch(/\b(info|warning|error) \[/);
      expect(code, operation).toBe(0);
    }
  });

  it('names operations.0.up when the up expression does not parse, and operations.0.type when the type does not', async () => {
    const badUp = await lint(`ops.alterColumn({ table: 'users', column: 'email', name: 'mail', up: 'lower(email' })`);
    expect(badUp.out).toMatch(/operations\.0\.up: must be one SQL expression/);
    expect(badUp.code).toBe(2);
    const badType = await lint(`ops.alterColumn({ table: 'users', column: 'id', type: 'big int' })`);
    expect(badType.out).toMatch(/operations\.0\.type: must be one type name/);
    expect(badType.code).toBe(2);
  });
});
