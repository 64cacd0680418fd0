import { describe, expect, it } from 'vitest';
import { PhasegateError } from '../../src/errors.js';
import { analyzeMigration, analyzeSqlFile, SqlParseError, splitStatements } from '../../src/analysis/index.js';

describe('parse errors', () => {
  it('name the migration, phase, step numbered from 1, line and the parser message', async () => {
    const run = analyzeMigration({
      migration: '0007_rename_email',
      pgVersion: 16,
      phases: [{ phase: 'contract', steps: [{ sql: 'SELECT 1', transactional: true }, { sql: 'SELECT 1;\n\nALTER TABLEE users', transactional: true }] }],
    });
    await expect(run).rejects.toBeInstanceOf(SqlParseError);
    await expect(run).rejects.toMatchObject({
      code: 'INVALID_SQL',
      line: 3,
      message: 'migration 0007_rename_email, phase contract, step 2: SQL does not parse at line 3: syntax error at or near "TABLEE"',
    });
  });

  it('are PhasegateErrors with a hint', async () => {
    const error: unknown = await splitStatements('SELEC 1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PhasegateError);
    expect((error as PhasegateError).hint).toMatch(/PostgreSQL/);
  });

  it('name the file of a .sql file and count lines after multibyte text', async () => {
    const run = analyzeSqlFile("SELECT 'ünïcödé';\nSELECT 'x' FROMM t", { phase: 'expand', pgVersion: 16, file: 'db/001.sql' });
    await expect(run).rejects.toMatchObject({ code: 'INVALID_SQL', line: 2, message: expect.stringContaining('file db/001.sql, phase expand') });
  });

  it('report an unterminated string literal', async () => {
    await expect(splitStatements("SELECT 1;\nSELECT 'abc")).rejects.toMatchObject({ line: 2, parserMessage: expect.stringContaining('unterminated') });
  });
});
