import { describe, expect, it } from 'vitest';
import type { LockLevel } from '../../src/analysis/index.js';
import { analyzeCase } from './helpers.js';

type Locks = Readonly<Record<string, LockLevel>>;

async function locksOf(sql: string, pgVersion = 16): Promise<Locks> {
  const { statements } = await analyzeCase(sql, { pgVersion });
  const [first] = statements;
  return Object.fromEntries((first?.locks ?? []).map((l) => [l.relation, l.level]));
}

describe('lock levels', () => {
  it.each<[string, Locks]>([
    ['SELECT * FROM users JOIN orgs ON true', { users: 'ACCESS SHARE', orgs: 'ACCESS SHARE' }],
    ['SELECT * FROM users FOR UPDATE', { users: 'ROW SHARE' }],
    ['WITH c AS (SELECT 1) SELECT * FROM c, users', { users: 'ACCESS SHARE' }],
    ['INSERT INTO users (id) SELECT id FROM staging', { users: 'ROW EXCLUSIVE', staging: 'ACCESS SHARE' }],
    ['UPDATE users SET a = 1 WHERE id = 1', { users: 'ROW EXCLUSIVE' }],
    ['UPDATE users SET a = o.a FROM orgs o WHERE o.id = users.org', { users: 'ROW EXCLUSIVE', orgs: 'ACCESS SHARE' }],
    ['DELETE FROM app.users WHERE id = 1', { 'app.users': 'ROW EXCLUSIVE' }],
    ['CREATE INDEX i ON users (email)', { users: 'SHARE' }],
    ['CREATE INDEX CONCURRENTLY i ON users (email)', { users: 'SHARE UPDATE EXCLUSIVE' }],
    ['DROP INDEX i', { i: 'ACCESS EXCLUSIVE' }],
    ['DROP INDEX CONCURRENTLY i', { i: 'SHARE UPDATE EXCLUSIVE' }],
    ['ALTER TABLE users ADD COLUMN a int', { users: 'ACCESS EXCLUSIVE' }],
    ['ALTER TABLE users VALIDATE CONSTRAINT c', { users: 'SHARE UPDATE EXCLUSIVE' }],
    ['ALTER TABLE users ADD CONSTRAINT f FOREIGN KEY (org) REFERENCES orgs (id) NOT VALID', { users: 'SHARE ROW EXCLUSIVE', orgs: 'SHARE ROW EXCLUSIVE' }],
    ['ALTER TABLE users ALTER COLUMN a SET STATISTICS 500', { users: 'SHARE UPDATE EXCLUSIVE' }],
    ['ALTER TABLE users SET (fillfactor = 70)', { users: 'SHARE UPDATE EXCLUSIVE' }],
    ['ALTER TABLE users DISABLE TRIGGER t', { users: 'SHARE ROW EXCLUSIVE' }],
    ['ALTER TABLE users ALTER COLUMN a SET STATISTICS 500, ADD COLUMN b int', { users: 'ACCESS EXCLUSIVE' }],
    ['ALTER TABLE users VALIDATE CONSTRAINT c, ENABLE TRIGGER t', { users: 'SHARE ROW EXCLUSIVE' }],
    ['ALTER TABLE users ALTER COLUMN a SET NOT NULL', { users: 'ACCESS EXCLUSIVE' }],
    ['ALTER TABLE users ADD CONSTRAINT c CHECK (a > 0) NOT VALID', { users: 'ACCESS EXCLUSIVE' }],
    ['ALTER TABLE users RENAME COLUMN a TO b', { users: 'ACCESS EXCLUSIVE' }],
    ['ALTER INDEX i RENAME TO j', { i: 'SHARE UPDATE EXCLUSIVE' }],
    ['ALTER TABLE parent ATTACH PARTITION p1 FOR VALUES IN (1)', { parent: 'SHARE UPDATE EXCLUSIVE', p1: 'ACCESS EXCLUSIVE' }],
    ['ALTER TABLE parent DETACH PARTITION p1 CONCURRENTLY', { parent: 'SHARE UPDATE EXCLUSIVE', p1: 'SHARE UPDATE EXCLUSIVE' }],
    ['CREATE TRIGGER t AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION f()', { users: 'SHARE ROW EXCLUSIVE' }],
    ['DROP TRIGGER t ON users', { users: 'ACCESS EXCLUSIVE' }],
    ['CREATE TABLE o (id int, u int REFERENCES users (id))', { users: 'SHARE ROW EXCLUSIVE' }],
    ['CREATE TABLE p2 PARTITION OF parent FOR VALUES IN (2)', { parent: 'ACCESS EXCLUSIVE' }],
    ['CREATE TABLE copy AS SELECT * FROM users', { users: 'ACCESS SHARE' }],
    ['DROP TABLE users, app.orgs', { users: 'ACCESS EXCLUSIVE', 'app.orgs': 'ACCESS EXCLUSIVE' }],
    ['TRUNCATE users', { users: 'ACCESS EXCLUSIVE' }],
    ['LOCK TABLE users', { users: 'ACCESS EXCLUSIVE' }],
    ['LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE', { users: 'SHARE ROW EXCLUSIVE' }],
    ['VACUUM users', { users: 'SHARE UPDATE EXCLUSIVE' }],
    ['ANALYZE users', { users: 'SHARE UPDATE EXCLUSIVE' }],
    ['VACUUM FULL users', { users: 'ACCESS EXCLUSIVE' }],
    ['CLUSTER users USING users_pkey', { users: 'ACCESS EXCLUSIVE' }],
    ['REINDEX TABLE users', { users: 'SHARE' }],
    ['REINDEX INDEX users_pkey', { users_pkey: 'ACCESS EXCLUSIVE' }],
    ['REINDEX TABLE CONCURRENTLY users', { users: 'SHARE UPDATE EXCLUSIVE' }],
    ['REFRESH MATERIALIZED VIEW stats', { stats: 'ACCESS EXCLUSIVE' }],
    ['REFRESH MATERIALIZED VIEW CONCURRENTLY stats', { stats: 'EXCLUSIVE' }],
    ['CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$', {}],
  ])('%s takes %j', async (sql, expected) => {
    expect(await locksOf(sql)).toEqual(expected);
  });

  it('ATTACH PARTITION takes ACCESS EXCLUSIVE on the parent before PostgreSQL 12', async () => {
    expect(await locksOf('ALTER TABLE parent ATTACH PARTITION p1 FOR VALUES IN (1)', 11)).toEqual({ parent: 'ACCESS EXCLUSIVE', p1: 'ACCESS EXCLUSIVE' });
  });

  it('ALTER INDEX RENAME takes ACCESS EXCLUSIVE before PostgreSQL 12', async () => {
    expect(await locksOf('ALTER INDEX i RENAME TO j', 11)).toEqual({ i: 'ACCESS EXCLUSIVE' });
  });
});

describe('statement facts', () => {
  it.each([
    ['CREATE INDEX CONCURRENTLY i ON users (a)', { kind: 'createIndex', mustRunOutsideTransaction: true, scansUnderStrongLock: false, rewritesTable: false }],
    ['CREATE INDEX i ON users (a)', { kind: 'createIndex', mustRunOutsideTransaction: false, scansUnderStrongLock: true }],
    ['VACUUM users', { kind: 'vacuum', mustRunOutsideTransaction: true }],
    ['ANALYZE users', { kind: 'analyze', mustRunOutsideTransaction: false }],
    ['ALTER TABLE users ADD COLUMN id2 uuid DEFAULT gen_random_uuid()', { kind: 'alterTable', rewritesTable: true }],
    ['ALTER TABLE users ADD COLUMN created timestamptz DEFAULT now()', { kind: 'alterTable', rewritesTable: false }],
    ['ALTER TABLE users ADD CONSTRAINT c CHECK (a > 0)', { scansUnderStrongLock: true }],
    ['ALTER TABLE users ADD CONSTRAINT c CHECK (a > 0) NOT VALID', { scansUnderStrongLock: false }],
    ['ALTER TABLE users ALTER COLUMN a SET NOT NULL', { scansUnderStrongLock: true }],
    ['UPDATE users SET a = 1', { kind: 'update', isDml: true }],
    ['SELECT 1', { kind: 'select', isDml: false }],
    ['DROP TABLE users', { kind: 'dropTable' }],
    ['DROP MATERIALIZED VIEW stats', { kind: 'dropMaterializedView' }],
    ['CREATE VIEW v AS SELECT 1', { kind: 'createView' }],
    ['CREATE TYPE mood AS ENUM (\'ok\')', { kind: 'createType' }],
    ['DO $$ BEGIN END $$', { kind: 'do' }],
  ])('%s has facts %j', async (sql, expected) => {
    const { statements } = await analyzeCase(sql);
    expect(statements[0]).toMatchObject({ sql, line: 1, step: 0, phase: 'expand', ...expected });
  });
});
