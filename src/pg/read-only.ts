import type { QueryResultRow } from 'pg';

/**
 * A query sent through the extended protocol: one Parse message holds exactly
 * one statement, so `SELECT 1; DELETE FROM t` is refused by the server instead
 * of running as two statements (node-postgres uses the simple protocol for a
 * query without parameters unless told otherwise).
 */
export interface ExtendedQuery {
  readonly text: string;
  readonly values: unknown[];
  readonly queryMode: 'extended';
  /**
   * A prepared statement's name: the server parses it once per connection
   * and may keep its plan (preparedQuery). Only for phasegate's own fixed
   * text, never for a user's.
   */
  readonly name?: string;
}

/** A connection that can run an extended-protocol query; a pg.Client is one. */
export interface ExtendedQueryable {
  query<R extends QueryResultRow = QueryResultRow>(query: ExtendedQuery): Promise<{ rows: R[] }>;
}

/** The bounds a read-only query runs under; both must be above 0. */
export interface ReadOnlyLimits {
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

/** Wraps text and parameters so they go through the extended protocol. */
export function extendedQuery(text: string, values: readonly unknown[] = []): ExtendedQuery {
  return { text, values: [...values], queryMode: 'extended' };
}

/**
 * A statement the runner sends again and again on one session (a check
 * between batches), as a prepared statement named `phasegate_<name>`:
 * parsing and planning a query over the statistics views costs the server
 * a few ms each time.
 */
export function preparedQuery(name: string, text: string, values: readonly unknown[] = []): ExtendedQuery {
  return { ...extendedQuery(text, values), name: `phasegate_${name}` };
}

/**
 * Runs `work` in a READ ONLY transaction under local lock and statement
 * timeouts, then rolls back: nothing in it can write, and the timeouts end
 * with the transaction instead of leaking into the session.
 */
export async function inReadOnlyTransaction<T>(db: ExtendedQueryable, limits: ReadOnlyLimits, work: () => Promise<T>): Promise<T> {
  await db.query(extendedQuery('BEGIN READ ONLY'));
  try {
    await db.query(
      extendedQuery(`SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)`, [
        `${limits.lockTimeoutMs}ms`,
        `${limits.statementTimeoutMs}ms`,
      ]),
    );
    return await work();
  } finally {
    // Nothing here writes; ROLLBACK also ends a transaction an error aborted.
    await db.query(extendedQuery('ROLLBACK')).catch(() => undefined);
  }
}

/**
 * Runs one user-written query read-only (one statement, extended protocol)
 * and returns the first column of its first row, or undefined when it
 * returned no row.
 */
export async function readOnlyValue(db: ExtendedQueryable, sql: string, limits: ReadOnlyLimits, values: readonly unknown[] = []): Promise<unknown> {
  return inReadOnlyTransaction(db, limits, async () => {
    const { rows } = await db.query(extendedQuery(sql, values));
    const first = rows[0];
    return first === undefined ? undefined : Object.values(first)[0];
  });
}

/** Reads a value that must be a number (count(*) arrives as a string); NaN when it is not. */
export function asCount(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint' || (typeof value === 'string' && value.trim() !== '')) return Number(value);
  return NaN;
}
