export { quoteIdent, withTransaction, type PoolLike, type Queryable } from './queryable.js';
export { Session, type RunnerSession, type SessionSettings } from './session.js';
export { boundSession, setLocalTimeouts, withSessionTimeouts, type StatementBounds } from './timeouts.js';
