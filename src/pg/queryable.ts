import type { QueryResultRow } from 'pg';
import type { ExtendedQuery } from './read-only.js';

/**
 * The part of a pg client that phasegate needs. Code below the CLI receives
 * one of these and never builds a connection from a URL itself.
 */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: readonly unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
  query<R extends QueryResultRow = QueryResultRow>(query: ExtendedQuery): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** A pool or anything else that hands out dedicated clients. */
export interface PoolLike {
  connect(): Promise<Queryable & { release(destroy?: boolean): void }>;
}

/** Runs `work` inside BEGIN/COMMIT on `db`, rolling back on any error. */
export async function withTransaction<T>(db: Queryable, work: () => Promise<T>): Promise<T> {
  await db.query('BEGIN');
  try {
    const result = await work();
    await db.query('COMMIT');
    return result;
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Statements that take no parameters, sent as one query in one round trip
 * (PostgreSQL's simple protocol runs them in order); the rows of each, in
 * the same order.
 */
export async function queryEach(db: Queryable, statements: readonly string[]): Promise<QueryResultRow[][]> {
  // pg answers a query of several statements with one result per statement.
  const answer = (await db.query(statements.join(';\n'))) as unknown as { rows: QueryResultRow[] } | { rows: QueryResultRow[] }[];
  return (Array.isArray(answer) ? answer : [answer]).map((result) => result.rows);
}

/** Quotes an identifier the way PostgreSQL's own quote_ident does (pg's escapeIdentifier). */
export { escapeIdentifier as quoteIdent } from 'pg';
