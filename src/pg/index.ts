/**
 * Everything phasegate reads from PostgreSQL's catalog, and the database
 * handle type. The lowest folder: it imports only errors.ts and secrets.ts.
 */
export { asCount, extendedQuery, inReadOnlyTransaction, preparedQuery, readOnlyValue } from './read-only.js';
export type { ExtendedQuery, ExtendedQueryable, ReadOnlyLimits } from './read-only.js';
export {
  batchKeyFor,
  EXACT_KEY_TEXT,
  indexValidity,
  lookupRelationName,
  pinExactKeyText,
  relationSizes,
  resolveRelations,
  serverVersion,
  tableHasColumn,
  type BatchKey,
  type IndexValidity,
  type KeyColumn,
  type NameLookup,
  type RelationRef,
  type RelationSize,
  type ResolvedRelation,
  type ServerVersion,
} from './catalog.js';
export { quoteIdent, quoteLiteral, readAll, readOne, withTransaction, type PoolLike, type Queryable, type Read, type ReadResults } from './queryable.js';
export { Session, type RunnerSession, type SessionSettings } from './session.js';
export { isSocketError, sqlState } from './sqlstate.js';
export { boundSession, setLocalTimeouts, withSessionTimeouts, type StatementBounds } from './timeouts.js';
