import { z } from 'zod';
import type { OperationOutput } from './output.js';
import { identifier } from './params.js';
import { ident } from './sql.js';

/** `ops.dropIndex({ name, schema? })`: an index no app version needs once the old one is gone. */
export const dropIndexSchema = z.strictObject({
  /** The index's name (exact). */
  name: identifier,
  /** Its schema; without it the search_path finds the index. */
  schema: identifier.optional(),
});

export type DropIndexParams = z.output<typeof dropIndexSchema>;

/*
 * In contract: the old app may still need the index, for speed or for an
 * ON CONFLICT it names, until contract begins; it holds no data, so it need
 * not wait for drop and its gate. CONCURRENTLY, alone outside a transaction;
 * IF EXISTS, so a retry after a crash (or after a failed concurrent drop
 * that left it INVALID) finishes the job.
 */
export function compileDropIndex(p: DropIndexParams): OperationOutput {
  const index = p.schema === undefined ? ident(p.name) : `${ident(p.schema)}.${ident(p.name)}`;
  return { phases: { contract: { steps: [{ sql: `DROP INDEX CONCURRENTLY IF EXISTS ${index}`, transaction: false }] } } };
}
