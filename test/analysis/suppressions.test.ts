import { describe, expect, it } from 'vitest';
import { analyzeSqlFile } from '../../src/analysis/index.js';
import { findingsOf } from './helpers.js';

describe('suppressions', () => {
  it('silence the named rule on the statement directly below', async () => {
    const sql = '-- phasegate:allow non-concurrent-index users has 40 rows\nCREATE INDEX i ON users (email)';
    expect(await findingsOf(sql)).toEqual([]);
  });

  it('may be stacked, one rule per line', async () => {
    const sql = [
      '-- phasegate:allow add-column-rewrite measured: 2 s on a copy',
      '-- phasegate:allow drop-before-drop-phase nothing reads this column yet',
      'ALTER TABLE users ADD COLUMN tenant int NOT NULL GENERATED ALWAYS AS IDENTITY, DROP COLUMN legacy',
    ].join('\n');
    expect(await findingsOf(sql)).toEqual([]);
  });

  it('silence only the named rule', async () => {
    const sql = '-- phasegate:allow unbounded-dml small lookup table\nALTER TABLE users DROP COLUMN email';
    const rules = (await findingsOf(sql)).map((f) => f.rule);
    expect(rules).toEqual(['drop-before-drop-phase', 'stale-suppression']);
  });

  it('apply only to the next statement', async () => {
    const sql = '-- phasegate:allow non-concurrent-index tiny table\nCREATE INDEX a ON users (a);\nCREATE INDEX b ON users (b)';
    expect(await findingsOf(sql)).toMatchObject([{ rule: 'non-concurrent-index', line: 3 }]);
  });

  it('without a reason are an error and silence nothing', async () => {
    const sql = 'SELECT 1;\n-- phasegate:allow non-concurrent-index\nCREATE INDEX i ON users (email)';
    const findings = await findingsOf(sql);
    expect(findings.map((f) => [f.rule, f.severity, f.line])).toEqual([
      ['non-concurrent-index', 'error', 3],
      ['suppression-without-reason', 'error', 2],
    ]);
  });

  it('that silence nothing are a stale-suppression warning', async () => {
    const sql = '-- phasegate:allow non-concurrent-index tiny table\nCREATE INDEX CONCURRENTLY i ON users (email)';
    expect(await findingsOf(sql)).toMatchObject([{ rule: 'stale-suppression', severity: 'warning', line: 1 }]);
  });

  it('with a reason silence unanalysed-code on the DO block below, and are stale on a block with no dynamic SQL', async () => {
    const dynamic = "DO $$\nBEGIN\n  EXECUTE format('ANALYZE %I', 'users');\nEND\n$$";
    expect(await findingsOf(`-- phasegate:allow unanalysed-code reviewed: analyses one named table\n${dynamic}`)).toEqual([]);
    expect((await findingsOf(`-- phasegate:allow unanalysed-code reviewed\nDO $$\nBEGIN\n  PERFORM 1;\nEND\n$$`)).map((f) => f.rule)).toEqual(['stale-suppression']);
    expect((await findingsOf(`-- phasegate:allow unanalysed-code\n${dynamic}`)).map((f) => f.rule).sort()).toEqual(['suppression-without-reason', 'unanalysed-code']);
  });

  it.each([
    ['an unknown rule', '-- phasegate:allow no-such-rule because', /no-such-rule, which is not a phasegate rule/],
    ['no rule at all', '-- phasegate:allow', /names no rule/],
    ['a suppression rule', '-- phasegate:allow stale-suppression because', /cannot itself be suppressed/],
  ])('naming %s are an error', async (_what, comment, message) => {
    const findings = await findingsOf(`${comment}\nSELECT 1`);
    expect(findings).toMatchObject([{ rule: 'unknown-suppression-rule', severity: 'error', line: 1, message: expect.stringMatching(message) }]);
  });

  it.each([
    ['separated by a blank line', '-- phasegate:allow non-concurrent-index tiny\n\nCREATE INDEX i ON users (a)'],
    ['at the end of the previous statement', 'SELECT 1; -- phasegate:allow non-concurrent-index tiny\nCREATE INDEX i ON users (a)'],
    ['after the last statement', 'CREATE INDEX i ON users (a);\n-- phasegate:allow non-concurrent-index tiny'],
  ])('do not apply when %s, and are stale', async (_what, sql) => {
    expect((await findingsOf(sql)).map((f) => f.rule).sort()).toEqual(['non-concurrent-index', 'stale-suppression']);
  });

  it('inside a string literal are not comments', async () => {
    const sql = "SELECT '-- phasegate:allow non-concurrent-index x';\nCREATE INDEX i ON users (a)";
    expect((await findingsOf(sql)).map((f) => f.rule)).toEqual(['non-concurrent-index']);
  });

  it('work in .sql files with the line of the comment', async () => {
    const sql = 'SELECT 1;\n-- phasegate:allow truncate staging table, refilled nightly\nTRUNCATE staging;\n-- phasegate:allow truncate\nTRUNCATE other';
    const { findings } = await analyzeSqlFile(sql, { phase: 'contract', pgVersion: 16 });
    expect(findings.map((f) => [f.rule, f.line])).toEqual([
      ['truncate', 5],
      ['suppression-without-reason', 4],
    ]);
  });
});
