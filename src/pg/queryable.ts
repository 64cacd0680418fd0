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
