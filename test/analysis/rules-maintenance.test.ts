import { describe, expect, it } from 'vitest';
import type { Phase } from '../../src/plan/index.js';
import { type CaseOptions, findingsOf, rulesOf } from './helpers.js';

describe('maintenance statements', () => {
  it.each<[string, string, CaseOptions]>([
    ['truncate', 'TRUNCATE users', {}],
    ['truncate', 'TRUNCATE fresh, users', { before: 'CREATE TABLE fresh (a int)' }],
    ['lock-table', 'LOCK TABLE users', {}],
    ['lock-table', 'LOCK TABLE users IN SHARE MODE', {}],
    ['vacuum-full', 'VACUUM FULL users', {}],
    ['vacuum-full', 'VACUUM (FULL, ANALYZE) users', {}],
    ['vacuum-full', 'VACUUM FULL', {}],
    ['cluster', 'CLUSTER users USING users_pkey', {}],
    ['cluster', 'CLUSTER', {}],
    ['non-concurrent-reindex', 'REINDEX TABLE users', {}],
    ['non-concurrent-reindex', 'REINDEX INDEX users_pkey', {}],
    ['non-concurrent-reindex', 'REINDEX INDEX CONCURRENTLY users_pkey', { pgVersion: 11 }],
    ['non-concurrent-refresh', 'REFRESH MATERIALIZED VIEW stats', {}],
  ])('%s fires for %s', async (rule, sql, opts) => {
    expect(await rulesOf(sql, opts)).toEqual([rule]);
  });

  it.each<[string, CaseOptions]>([
    ['TRUNCATE fresh', { before: 'CREATE TABLE fresh (a int)' }],
    ['VACUUM users', {}],
    ['VACUUM (FULL false) users', {}],
    ['ANALYZE users', {}],
    ['REINDEX INDEX CONCURRENTLY users_pkey', { pgVersion: 12 }],
    ['REFRESH MATERIALIZED VIEW CONCURRENTLY stats', {}],
    ['REFRESH MATERIALIZED VIEW fresh_stats', { before: 'CREATE MATERIALIZED VIEW fresh_stats AS SELECT 1 AS one' }],
    ['CLUSTER fresh USING fresh_pkey', { before: 'CREATE TABLE fresh (a int PRIMARY KEY)' }],
  ])('nothing fires for %s', async (sql, opts) => {
    expect(await rulesOf(sql, opts)).toEqual([]);
  });

  it('only warns for LOCK TABLE modes that do not block writes', async () => {
    expect(await findingsOf('LOCK TABLE users IN ROW EXCLUSIVE MODE')).toMatchObject([{ rule: 'lock-table', severity: 'warning' }]);
    expect(await findingsOf('LOCK TABLE users IN EXCLUSIVE MODE')).toMatchObject([{ rule: 'lock-table', severity: 'error' }]);
  });

  it('suggests the pre-12 recipe when REINDEX CONCURRENTLY is not available', async () => {
    const [finding] = await findingsOf('REINDEX TABLE users', { pgVersion: 11 });
    expect(finding?.hint).toMatch(/CREATE INDEX CONCURRENTLY a copy/);
  });
});

describe('unbounded-dml', () => {
  it.each<[string, Phase]>([
    ['UPDATE users SET status = 1', 'expand'],
    ['DELETE FROM users', 'contract'],
    ['UPDATE app.users SET status = 1', 'dualWrite'],
    ['WITH x AS (SELECT 1) UPDATE users SET status = 1', 'drop'],
  ])('fires for %s in %s', async (sql, phase) => {
    expect(await rulesOf(sql, { phase })).toEqual(['unbounded-dml']);
  });

  it.each<[string, CaseOptions]>([
    ['UPDATE users SET status = 1 WHERE id BETWEEN 1 AND 1000', {}],
    ['DELETE FROM users WHERE created < now() - interval \'1 year\'', {}],
    ['UPDATE fresh SET a = 1', { before: 'CREATE TABLE fresh (a int)' }],
    ['INSERT INTO users (id) VALUES (1)', {}],
    ["SELECT 'UPDATE users SET status = 1'", {}],
  ])('does not fire for %s', async (sql, opts) => {
    expect(await rulesOf(sql, opts)).toEqual([]);
  });
});
