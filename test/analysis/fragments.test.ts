import { beforeAll, describe, expect, it } from 'vitest';
import { checkConfigFragments, fragmentProblem, type SqlFragment } from '../../src/analysis/index.js';

const problem = (kind: SqlFragment['kind'], sql: string): string | undefined => fragmentProblem({ kind, field: 'f', sql });

beforeAll(async () => {
  // Loads the parser (fragmentProblem is synchronous once it is loaded).
  await checkConfigFragments([{ kind: 'query', field: 'f', sql: 'SELECT true' }]);
});

describe('SQL fragments', () => {
  it.each([
    'SELECT count(*) FROM users WHERE email IS NULL',
    'SELECT count(*) FROM users WHERE note = \'a;b\' -- a comment',
    'WITH missing AS (SELECT id FROM users WHERE email IS NULL) SELECT count(*) FROM missing',
    'SELECT $$DELETE FROM users; --$$ <> \'\'',
  ])('accepts the read-only query %s', (sql) => {
    expect(problem('query', sql)).toBeUndefined();
  });

  it.each([
    ['SELECT count(*) FROM t WHERE false; DELETE FROM t', /one SELECT: found 2 statements/],
    ['DELETE FROM t', /one SELECT, not a DELETE/],
    ['EXPLAIN ANALYZE DELETE FROM t', /one SELECT, not an EXPLAIN/],
    ['WITH d AS (DELETE FROM t RETURNING 1) SELECT count(*) FROM d', /only read, but contains a DELETE/],
    ['SELECT count(*) FROM t WHERE id IN (SELECT id FROM t FOR UPDATE)', /FOR UPDATE/],
    ['SELECT count(*) INTO copy FROM t', /SELECT \.\.\. INTO creates a table/],
    ["SELECT set_config('statement_timeout', '0', false) IS NULL", /calls set_config\(\)/],
    ['SELECT pg_advisory_lock(1) IS NULL', /calls pg_advisory_lock\(\)/],
    ['-- nothing but a comment', /found 0 statements/],
    ['SELECT count(* FROM t', /does not parse/],
  ])('refuses the query %s', (sql, message) => {
    expect(problem('query', sql)).toMatch(message);
  });

  it.each([
    'email_address IS NULL',
    "status IN ('new', 'open')",
    'email_address IS NULL -- still needed',
    'email_address IS NULL /* a comment */',
    "note <> E'it\\'s; -- not a comment'",
    'note <> $q$) OR (true$q$',
    'a = 1 OR b = 2',
  ])('accepts the backfill where %s', (sql) => {
    expect(problem('condition', sql)).toBeUndefined();
  });

  it.each([
    ['x) OR (true', /one boolean expression: it does not parse/],
    ['true) OR (true', /one boolean expression: it does not parse/],
    ['x IS NULL; DELETE FROM t', /found 2 statements/],
    ['x IS NULL ORDER BY 1', /found ORDER BY after it/],
    ['x IS NULL LIMIT 1', /found LIMIT after it/],
    ['x IS NULL UNION SELECT 1', /found UNION\/INTERSECT\/EXCEPT after it/],
    ['x IS NULL /* open comment', /does not parse/],
    ['x = $$open dollar quote', /does not parse/],
    ["x = 'a\\' AND y = ') OR (true --'", /standard_conforming_strings/],
    ["pg_terminate_backend(42)", /calls pg_terminate_backend\(\)/],
  ])('refuses the backfill where %s', (sql, message) => {
    expect(problem('condition', sql)).toMatch(message);
  });

  it.each(['email_address = email', 'a = 1, b = lower(c) -- trailing comment', "note = E'x\\'y'"])('accepts the backfill set %s', (sql) => {
    expect(problem('setList', sql)).toBeUndefined();
  });

  it.each([
    ['a = 1 WHERE id < 10', /one SET list.*found WHERE after it/],
    ['a = 1 FROM other', /found FROM after it/],
    ['a = 1 RETURNING *', /found RETURNING after it/],
    ['a = 1; DELETE FROM t', /found 2 statements/],
    ['a = 1 --', undefined],
  ])('judges the backfill set %s', (sql, message) => {
    if (message === undefined) expect(problem('setList', sql)).toBeUndefined();
    else expect(problem('setList', sql)).toMatch(message);
  });

  it('names the config file and field of a bad config healthQuery', async () => {
    await expect(
      checkConfigFragments([{ kind: 'query', field: 'phasegate.config.ts: backfill.healthQuery', sql: 'SELECT true; SELECT pg_sleep(1000)' }]),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: 'phasegate.config.ts: backfill.healthQuery: must be one SELECT: found 2 statements' });
  });
});
