/** Kept so `state/` callers import the connection vocabulary from one place; it lives in `pg/`. */
export { queryEach, quoteIdent, withTransaction, type PoolLike, type Queryable } from '../pg/index.js';
