import { describe, expect, it } from 'vitest';
import { analyzeSqlFile } from '../../src/analysis/index.js';
import { type CaseOptions, findingsOf, rulesOf } from './helpers.js';

describe('non-concurrent-index', () => {
  it.each<[string, string, CaseOptions]>([
    ['a plain CREATE INDEX on an existing table', 'CREATE INDEX i ON users (email)', {}],
    ['a plain CREATE UNIQUE INDEX', 'CREATE UNIQUE INDEX i ON users (email)', {}],
    ['an index on a table created by another migration', 'CREATE INDEX i ON app.users (email)', { before: 'CREATE TABLE orgs (id int)' }],
  ])('fires for %s', async (_what, sql, opts) => {
    expect(await rulesOf(sql, opts)).toContain('non-concurrent-index');
  });

  it.each<[string, string, CaseOptions]>([
    ['CREATE INDEX CONCURRENTLY', 'CREATE INDEX CONCURRENTLY i ON users (email)', {}],
    ['an index on a table created earlier in the migration', 'CREATE INDEX i ON fresh (a)', { before: 'CREATE TABLE fresh (a int)' }],
    ['an index on a table created in an earlier phase', 'CREATE INDEX i ON fresh (a)', { before: 'CREATE TABLE fresh (a int)', phase: 'contract' }],
    ['CREATE INDEX in a comment', '-- CREATE INDEX i ON users (email)\nSELECT 1', {}],
    ['CREATE INDEX in a string literal', "SELECT 'CREATE INDEX i ON users (email)'", {}],
    ['DROP INDEX CONCURRENTLY', 'DROP INDEX CONCURRENTLY i', {}],
  ])('stays silent for %s', async (_what, sql, opts) => {
    expect(await rulesOf(sql, opts)).toEqual([]);
  });

  it('names the table and the lock in its message', async () => {
    const [finding] = await findingsOf('CREATE INDEX users_email ON users (email)');
    expect(finding).toMatchObject({ severity: 'error', line: 1, step: 0, migration: '0001_test', phase: 'expand' });
    expect(finding?.message).toMatch(/CREATE INDEX users_email on users without CONCURRENTLY holds a SHARE lock/);
    expect(finding?.hint).toMatch(/CONCURRENTLY/);
    expect(finding?.explanation).toMatch(/SHARE lock/);
  });

  it('warns about a plain DROP INDEX of an existing index', async () => {
    expect(await findingsOf('DROP INDEX users_email')).toMatchObject([{ rule: 'non-concurrent-index', severity: 'warning' }]);
  });
});

describe('concurrently-in-transaction', () => {
  it.each([
    ['CREATE INDEX CONCURRENTLY i ON users (a)'],
    ['DROP INDEX CONCURRENTLY i'],
    ['REINDEX INDEX CONCURRENTLY i'],
    ['VACUUM users'],
    ['ALTER TABLE parent DETACH PARTITION p1 CONCURRENTLY'],
  ])('fires for %s in a transactional step', async (sql) => {
    expect(await rulesOf(sql, { transactional: true })).toContain('concurrently-in-transaction');
  });

  it.each([
    ['CREATE INDEX CONCURRENTLY i ON users (a)'],
    ['VACUUM users'],
  ])('stays silent for %s alone in a non-transactional step', async (sql) => {
    expect(await rulesOf(sql, { transactional: false })).not.toContain('concurrently-in-transaction');
  });

  it('fires when a non-transactional step sends several statements as one query', async () => {
    const findings = await findingsOf('SELECT 1;\nCREATE INDEX CONCURRENTLY i ON users (a)');
    expect(findings).toMatchObject([{ rule: 'concurrently-in-transaction', line: 2, message: expect.stringMatching(/implicit transaction/) }]);
  });

  it('stays silent for REFRESH MATERIALIZED VIEW CONCURRENTLY, which may run in a transaction', async () => {
    expect(await rulesOf('REFRESH MATERIALIZED VIEW CONCURRENTLY stats', { transactional: true })).toEqual([]);
  });

  it('fires for ALTER TYPE ... ADD VALUE in a transaction only before PostgreSQL 12', async () => {
    expect(await rulesOf("ALTER TYPE mood ADD VALUE 'meh'", { transactional: true, pgVersion: 11 })).toEqual(['concurrently-in-transaction']);
    expect(await rulesOf("ALTER TYPE mood ADD VALUE 'meh'", { transactional: true, pgVersion: 12 })).toEqual([]);
  });

  it('in a .sql file, fires only between an explicit BEGIN and COMMIT', async () => {
    const sql = [
      'CREATE INDEX CONCURRENTLY a ON users (a);',
      'BEGIN;',
      'CREATE INDEX CONCURRENTLY b ON users (b);',
      'COMMIT;',
      'CREATE INDEX CONCURRENTLY c ON users (c);',
    ].join('\n');
    const { findings, statements } = await analyzeSqlFile(sql, { phase: 'expand', pgVersion: 16, file: 'x.sql' });
    expect(findings).toMatchObject([{ rule: 'concurrently-in-transaction', line: 3, file: 'x.sql', message: expect.stringMatching(/explicit BEGIN on line 2/) }]);
    expect(findings[0]).not.toHaveProperty('step');
    expect(statements.map((s) => s.line)).toEqual([1, 2, 3, 4, 5]);
  });
});
