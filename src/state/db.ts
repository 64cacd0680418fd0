/** Kept so `state/` callers import the connection vocabulary from one place; it lives in `pg/`. */
export { quoteIdent, quoteLiteral, readAll, readOne, withTransaction, type PoolLike, type Queryable, type Read, type ReadResults } from '../pg/index.js';
