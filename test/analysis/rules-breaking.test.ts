import { describe, expect, it } from 'vitest';
import type { Phase } from '../../src/plan/index.js';
import { type CaseOptions, findingsOf, rulesOf } from './helpers.js';

const RULE = 'breaking-change-outside-contract';

describe('breaking-change-outside-contract', () => {
  it.each([
    ['ALTER TABLE users RENAME COLUMN email TO email_address'],
    ['ALTER TABLE users RENAME TO people'],
    ['DROP VIEW active_users'],
    ['DROP FUNCTION normalize_email(text)'],
    ['ALTER VIEW active_users RENAME TO live_users'],
    ['ALTER FUNCTION f() RENAME TO g'],
    ['ALTER TYPE mood RENAME TO feeling'],
    ["ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'"],
    ['ALTER TABLE users SET SCHEMA archive'],
    ['ALTER TABLE users ALTER COLUMN id TYPE bigint'],
    ['ALTER TABLE users ALTER COLUMN email SET NOT NULL'],
    ['ALTER TABLE users ADD COLUMN tenant int NOT NULL'],
    ['ALTER TABLE users ALTER COLUMN status DROP DEFAULT'],
  ])('fires for %s in expand', async (sql) => {
    expect(await rulesOf(sql)).toContain(RULE);
  });

  it.each<Phase>(['expand', 'dualWrite', 'backfill'])('fires for RENAME COLUMN in %s', async (phase) => {
    expect(await rulesOf('ALTER TABLE users RENAME COLUMN email TO mail', { phase })).toEqual([RULE]);
  });

  it.each<Phase>(['contract', 'drop'])('stays silent for RENAME COLUMN in %s', async (phase) => {
    expect(await rulesOf('ALTER TABLE users RENAME COLUMN email TO mail', { phase })).toEqual([]);
  });

  it.each([
    ['ALTER TABLE users DROP COLUMN email'],
    ['DROP TABLE users'],
    ['DROP MATERIALIZED VIEW stats'],
    ['DROP TYPE mood'],
  ])('leaves %s to drop-before-drop-phase, which fires in every phase before drop', async (sql) => {
    expect(await rulesOf(sql)).toEqual(['drop-before-drop-phase']);
  });

  it.each<[string, CaseOptions]>([
    ['ALTER TABLE users ADD COLUMN email_address text', {}],
    ["ALTER TABLE users ADD COLUMN tenant int NOT NULL DEFAULT 1", {}],
    ['ALTER TABLE fresh RENAME COLUMN a TO b', { before: 'CREATE TABLE fresh (a int)' }],
    ['DROP TABLE fresh', { before: 'CREATE TABLE fresh (a int)' }],
    ['DROP FUNCTION helper()', { before: 'CREATE FUNCTION helper() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$' }],
    ['ALTER TABLE renamed DROP COLUMN a', { before: 'CREATE TABLE fresh (a int); ALTER TABLE fresh RENAME TO renamed' }],
    ['ALTER TABLE users ALTER COLUMN status SET NOT NULL', { before: "ALTER TABLE users ALTER COLUMN status SET DEFAULT 'new'" }],
    ['ALTER TABLE users ALTER COLUMN name TYPE varchar(200)', { columnTypes: { 'users.name': 'varchar(100)' } }],
    ['ALTER TABLE users ALTER COLUMN name TYPE text', {}],
    ['DROP INDEX CONCURRENTLY users_email_idx', {}],
    ['ALTER TABLE users DROP CONSTRAINT positive', {}],
    ['DROP TRIGGER sync_email ON users', {}],
    ['ALTER INDEX users_email_idx RENAME TO users_email_key', {}],
    ["ALTER TYPE mood ADD VALUE 'meh'", {}],
    ["-- ALTER TABLE users DROP COLUMN email\nSELECT 'DROP TABLE users'", {}],
  ])('stays silent for %s', async (sql, opts) => {
    expect(await rulesOf(sql, opts)).not.toContain(RULE);
  });

  it('says which phase and what the old app loses', async () => {
    const [finding] = await findingsOf('ALTER TABLE users RENAME COLUMN email TO email_address', { phase: 'dualWrite' });
    expect(finding).toMatchObject({ rule: RULE, severity: 'error', phase: 'dualWrite' });
    expect(finding?.message).toBe(
      'RENAME COLUMN users.email TO email_address in the dualWrite phase breaks app versions still running against the old schema: they still use the old name',
    );
  });
});
