import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { splitStatements } from '../analysis/index.js';
import { PhasegateError } from '../errors.js';
import { importModule } from '../load/index.js';
import { sqlState } from '../pg/index.js';

/** A check written as code: throws when the schema does not serve this app version. */
export type CheckFunction = (client: pg.ClientBase) => Promise<void>;

/** One statement of a SQL check file. */
export interface CheckStatement {
  readonly sql: string;
  /** 1-based line in the check file. */
  readonly line: number;
  /** Preceded by `-- assert`: must return one row whose first column is true. */
  readonly assert: boolean;
}

/** A loaded check: statements of a SQL file, or a function from a module or the caller. */
export type AppCheck =
  | { readonly kind: 'sql'; readonly source: string; readonly statements: readonly CheckStatement[] }
  | { readonly kind: 'function'; readonly source: string; readonly run: CheckFunction };

/** Why a check failed: the statement (or function) and PostgreSQL's error. */
export interface CheckFailure {
  readonly statement: string;
  readonly error: string;
  /** SQLSTATE when PostgreSQL raised it. */
  readonly sqlState: string | null;
}

/**
 * Loads a check from a `.sql` file (statements in order, `-- assert` before a
 * statement makes it an assertion) or a `.ts`/`.js` module whose default
 * export is an async function of a client.
 */
export async function loadAppCheck(file: string): Promise<AppCheck> {
  if (/\.sql$/i.test(file)) {
    const text = await readCheckFile(file);
    const lines = text.split('\n');
    try {
      const statements = (await splitStatements(text)).map(({ sql, line }) => ({ sql, line, assert: precededByAssert(lines, line) }));
      return { kind: 'sql', source: file, statements };
    } catch (error) {
      throw new PhasegateError('USAGE', `app check ${file}: ${(error as Error).message}`, { hint: 'fix the SQL of the check file', cause: error });
    }
  }
  if (!/\.(ts|mts|js|mjs)$/i.test(file)) {
    throw new PhasegateError('USAGE', `app check ${file}: expected a .sql, .ts or .js file`, {
      hint: 'write the checks as SQL statements, or as a module exporting an async function of a client',
    });
  }
  await readCheckFile(file);
  const loaded = await importModule(path.resolve(file));
  if (typeof loaded !== 'function') {
    throw new PhasegateError('USAGE', `app check ${file}: its default export is not a function`, {
      hint: 'export default async function (client) { ... } and throw when a result is wrong',
    });
  }
  return { kind: 'function', source: file, run: (client) => Promise.resolve((loaded as CheckFunction)(client)) };
}

async function readCheckFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new PhasegateError('USAGE', `app check ${file} cannot be read: ${(error as Error).message}`, {
      hint: 'pass the path of an existing check file to --old-app / --new-app',
      cause: error,
    });
  }
}

function precededByAssert(lines: readonly string[], line: number): boolean {
  for (let i = line - 2; i >= 0; i--) {
    const text = (lines[i] ?? '').trim();
    if (text === '') continue;
    return /^--\s*assert\b/i.test(text);
  }
  return false;
}

/**
 * Name of the prepared statement for one check statement. Stable across
 * steps, as a driver's statement cache is, so a plan prepared before a step
 * is reused after it and "cached plan must not change result type" shows.
 */
export function preparedName(app: string, index: number): string {
  return `phasegate_${app}_${index}`.slice(0, 63);
}

/**
 * Runs each statement in order through the extended protocol as a named
 * prepared statement. Assertions must return one row whose first column is
 * true. Stops at the first failure; the caller owns the transaction.
 */
export async function runCheckStatements(client: pg.ClientBase, app: string, check: AppCheck): Promise<CheckFailure | null> {
  if (check.kind === 'function') {
    try {
      await check.run(client);
      return null;
    } catch (error) {
      return failureOf(`${path.basename(check.source)} (function)`, error);
    }
  }
  for (const [index, statement] of check.statements.entries()) {
    try {
      const { rows } = await client.query({ name: preparedName(app, index), text: statement.sql, rowMode: 'array' });
      if (statement.assert && !(rows.length === 1 && (rows[0] as unknown[])[0] === true)) {
        const got = rows.length === 1 ? JSON.stringify((rows[0] as unknown[])[0]) : `${rows.length} rows`;
        return { statement: statement.sql, error: `assertion failed (line ${statement.line}): expected one row with true, got ${got}`, sqlState: null };
      }
    } catch (error) {
      return failureOf(statement.sql, error);
    }
  }
  return null;
}

function failureOf(statement: string, error: unknown): CheckFailure {
  return {
    statement,
    error: error instanceof Error ? error.message : String(error),
    sqlState: sqlState(error) ?? null,
  };
}

/** Runs a check in one transaction that is rolled back, so a check never changes the data. */
export async function runCheckOnce(client: pg.ClientBase, app: string, check: AppCheck): Promise<CheckFailure | null> {
  await client.query('BEGIN');
  try {
    return await runCheckStatements(client, app, check);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}
