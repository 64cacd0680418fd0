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
 * A read that takes no parameters, and how its rows map: reads of this kind
 * can share one round trip (readAll). `map` is a method so that a read may
 * name its row type (`map: (rows: readonly UnitRow[]) => ...`) without a cast.
 */
export interface Read<T> {
  readonly sql: string;
  map(rows: readonly QueryResultRow[]): T;
}

/** Runs one read on its own. */
export async function readOne<T>(db: Queryable, read: Read<T>): Promise<T> {
  return read.map((await db.query(read.sql)).rows);
}

/** What each read of a set gave. */
export type ReadResults<R extends Record<string, Read<unknown>>> = { [K in keyof R]: R[K] extends Read<infer T> ? T : never };

/** Runs every read in one round trip (queryEach) and maps each one's rows. */
export async function readAll<R extends Record<string, Read<unknown>>>(db: Queryable, reads: R): Promise<ReadResults<R>> {
  const entries = Object.entries(reads);
  const results = await queryEach(db, entries.map(([, read]) => read.sql));
  return Object.fromEntries(entries.map(([key, read], i) => [key, read.map(results[i] ?? [])])) as ReadResults<R>;
}

/**
 * Statements that take no parameters, sent as one query in one round trip
 * (PostgreSQL's simple protocol runs them in order); the rows of each, in
 * the same order.
 */
async function queryEach(db: Queryable, statements: readonly string[]): Promise<QueryResultRow[][]> {
  // pg answers a query of several statements with one result per statement.
  const answer = (await db.query(statements.join(';\n'))) as unknown as { rows: QueryResultRow[] } | { rows: QueryResultRow[] }[];
  return (Array.isArray(answer) ? answer : [answer]).map((result) => result.rows);
}

/** Quotes an identifier the way PostgreSQL's own quote_ident does (pg's escapeIdentifier). */
export { escapeIdentifier as quoteIdent, escapeLiteral as quoteLiteral } from 'pg';
