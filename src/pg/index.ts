/**
 * The lowest layer: how phasegate talks to PostgreSQL. Imports nothing from
 * other folders.
 */
export { asCount, extendedQuery, inReadOnlyTransaction, readOnlyValue } from './read-only.js';
export type { ExtendedQuery, ExtendedQueryable, ReadOnlyLimits } from './read-only.js';
