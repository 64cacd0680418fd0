import { describe, expect, it } from 'vitest';
import { splitStatements } from '../../src/analysis/index.js';

describe('splitStatements', () => {
  it('returns each statement with the line of its first token', async () => {
    const sql = 'SELECT 1;\n\n-- a comment\nUPDATE t\n  SET a = 1\n  WHERE id = 2;\n   /* block */ DELETE FROM t WHERE false';
    expect(await splitStatements(sql)).toEqual([
      { sql: 'SELECT 1', line: 1 },
      { sql: 'UPDATE t\n  SET a = 1\n  WHERE id = 2', line: 4 },
      { sql: 'DELETE FROM t WHERE false', line: 7 },
    ]);
  });

  it.each([
    ['a line comment', '-- CREATE INDEX i ON t (a);\nSELECT 1'],
    ['a block comment', '/* CREATE INDEX i ON t (a); */ SELECT 1'],
  ])('does not treat SQL inside %s as a statement', async (_what, sql) => {
    expect(await splitStatements(sql)).toEqual([{ sql: 'SELECT 1', line: sql.startsWith('--') ? 2 : 1 }]);
  });

  it('does not split on semicolons inside string literals and dollar quotes', async () => {
    const sql = "SELECT 'CREATE INDEX i ON t (a);';\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\nSELECT 2";
    const statements = await splitStatements(sql);
    expect(statements.map((s) => s.line)).toEqual([1, 2, 3]);
    expect(statements[0]?.sql).toBe("SELECT 'CREATE INDEX i ON t (a);'");
  });

  it('keeps offsets right after multibyte characters', async () => {
    const statements = await splitStatements("SELECT 'héllo wörld ✓';\nSELECT 'ü'; SELECT 3");
    expect(statements).toEqual([
      { sql: "SELECT 'héllo wörld ✓'", line: 1 },
      { sql: "SELECT 'ü'", line: 2 },
      { sql: 'SELECT 3', line: 2 },
    ]);
  });

  it.each(['', '   \n', '-- only a comment', ';;'])('returns no statements for %j', async (sql) => {
    expect(await splitStatements(sql)).toEqual([]);
  });
});
