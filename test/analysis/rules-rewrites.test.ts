import { describe, expect, it } from 'vitest';
import { type CaseOptions, findingsOf, rulesOf } from './helpers.js';

describe('rewriting-type-change', () => {
  const typed = (from: string): CaseOptions => ({ phase: 'contract', columnTypes: { 'users.c': from } });

  it.each<[string, string]>([
    ['int4', 'bigint'],
    ['integer', 'text'],
    ['varchar(20)', 'varchar(10)'],
    ['text', 'varchar(50)'],
    ['varchar', 'varchar(50)'],
    ['numeric(10,2)', 'numeric(12,4)'],
    ['numeric(10,2)', 'numeric(8,2)'],
    ['numeric', 'numeric(10,2)'],
    ['timestamp', 'timestamptz'],
    ['char(3)', 'char(5)'],
    ['json', 'jsonb'],
    ['timestamp(6)', 'timestamp(3)'],
  ])('fires for %s to %s, which rewrites', async (from, to) => {
    const findings = await findingsOf(`ALTER TABLE users ALTER COLUMN c TYPE ${to}`, typed(from));
    expect(findings).toMatchObject([{ rule: 'rewriting-type-change', severity: 'error' }]);
  });

  it.each<[string, string]>([
    ['varchar(10)', 'varchar(20)'],
    ['character varying(10)', 'character varying(10)'],
    ['varchar(10)', 'varchar'],
    ['varchar(10)', 'text'],
    ['text', 'varchar'],
    ['numeric(10,2)', 'numeric(12,2)'],
    ['numeric(10,2)', 'numeric'],
    ['timestamptz(3)', 'timestamptz'],
    ['timestamp(0)', 'timestamp(3)'],
    ['cidr', 'inet'],
    ['varbit(4)', 'varbit(8)'],
  ])('stays silent for %s to %s, which keeps the rows', async (from, to) => {
    expect(await rulesOf(`ALTER TABLE users ALTER COLUMN c TYPE ${to}`, typed(from))).toEqual([]);
  });

  it('fires for a USING expression that does real work, whatever the types', async () => {
    expect(await rulesOf('ALTER TABLE users ALTER COLUMN c TYPE varchar(20) USING lower(c)', typed('varchar(10)'))).toEqual(['rewriting-type-change']);
  });

  it('stays silent for a USING clause that only casts the column', async () => {
    expect(await rulesOf('ALTER TABLE users ALTER COLUMN c TYPE text USING c::text', typed('varchar(10)'))).toEqual([]);
  });

  it('uses the type a column got earlier in the same migration', async () => {
    const before = 'ALTER TABLE users ADD COLUMN c varchar(10)';
    expect(await rulesOf('ALTER TABLE users ALTER COLUMN c TYPE varchar(40)', { phase: 'contract', before })).toEqual([]);
    expect(await rulesOf('ALTER TABLE users ALTER COLUMN c TYPE int', { phase: 'contract', before })).toEqual(['rewriting-type-change']);
  });

  it('fires as an error when the target type cannot be reached without a rewrite, even with the current type unknown', async () => {
    expect(await findingsOf('ALTER TABLE users ALTER COLUMN c TYPE bigint', { phase: 'contract' })).toMatchObject([
      { rule: 'rewriting-type-change', severity: 'error' },
    ]);
  });

  it('warns when the current type is unknown and the change could be a relaxation', async () => {
    const findings = await findingsOf('ALTER TABLE users ALTER COLUMN c TYPE text', { phase: 'contract' });
    expect(findings).toMatchObject([{ rule: 'rewriting-type-change', severity: 'warning', message: expect.stringMatching(/may rewrite/) }]);
  });

  it('stays silent on a table created earlier in the migration', async () => {
    expect(await rulesOf('ALTER TABLE fresh ALTER COLUMN c TYPE bigint', { before: 'CREATE TABLE fresh (c int)' })).toEqual([]);
  });
});

describe('add-column-rewrite', () => {
  it.each<[string, number]>([
    ['uuid DEFAULT gen_random_uuid()', 16],
    ['float8 DEFAULT random()', 16],
    ['timestamptz DEFAULT clock_timestamp()', 16],
    ['int DEFAULT nextval(\'s\')', 16],
    ['bigserial', 16],
    ['int GENERATED ALWAYS AS IDENTITY', 16],
    ['int GENERATED ALWAYS AS (a + 1) STORED', 16],
    ['int DEFAULT my_function()', 16],
    ['timestamptz DEFAULT now()', 10],
    ['int DEFAULT 0', 10],
  ])('fires for ADD COLUMN x %s on PostgreSQL %i', async (def, pgVersion) => {
    expect(await rulesOf(`ALTER TABLE users ADD COLUMN x ${def}`, { pgVersion })).toEqual(['add-column-rewrite']);
  });

  it.each<[string, number]>([
    ['timestamptz DEFAULT now()', 15],
    ['timestamptz DEFAULT CURRENT_TIMESTAMP', 15],
    ["text DEFAULT 'n/a'", 11],
    ["jsonb DEFAULT '{}'::jsonb", 15],
    ['int DEFAULT NULL', 10],
    ['int', 10],
    ['int GENERATED ALWAYS AS (a + 1) VIRTUAL', 18],
  ])('stays silent for ADD COLUMN x %s on PostgreSQL %i', async (def, pgVersion) => {
    expect(await rulesOf(`ALTER TABLE users ADD COLUMN x ${def}`, { pgVersion })).toEqual([]);
  });

  it('names the volatile function in its message', async () => {
    const [finding] = await findingsOf('ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()');
    expect(finding?.message).toMatch(/ADD COLUMN token on users rewrites the whole table .* gen_random_uuid\(\) is volatile/);
  });

  it('stays silent for a volatile default on a table created earlier in the migration', async () => {
    expect(await rulesOf('ALTER TABLE fresh ADD COLUMN t uuid DEFAULT gen_random_uuid()', { before: 'CREATE TABLE fresh (a int)' })).toEqual([]);
  });
});

describe('table-rewrite', () => {
  it.each(['SET LOGGED', 'SET UNLOGGED', 'SET TABLESPACE fast', 'SET ACCESS METHOD heap2'])('fires for ALTER TABLE ... %s', async (what) => {
    expect(await rulesOf(`ALTER TABLE users ${what}`)).toEqual(['table-rewrite']);
  });

  it('stays silent for storage parameters, which only change the catalog', async () => {
    expect(await rulesOf('ALTER TABLE users SET (fillfactor = 80)')).toEqual([]);
  });
});
