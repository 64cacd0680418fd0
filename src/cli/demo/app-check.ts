import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { splitStatements } from '../../analysis/index.js';

export interface AppCheck {
  readonly app: string;
  readonly failures: readonly { readonly sql: string; readonly error: string }[];
}

/**
 * Runs an app version's query set, each statement in a transaction that is
 * rolled back, and reports which ones the current schema rejects.
 */
export async function checkApp(client: pg.Client, app: string, file: string): Promise<AppCheck> {
  const statements = await splitStatements(await readFile(file, 'utf8'));
  const failures: { sql: string; error: string }[] = [];
  for (const { sql } of statements) {
    try {
      await client.query('BEGIN');
      await client.query(sql);
    } catch (error) {
      failures.push({ sql: sql.replace(/\s+/g, ' ').slice(0, 70), error: (error as Error).message });
    } finally {
      await client.query('ROLLBACK');
    }
  }
  return { app, failures };
}
