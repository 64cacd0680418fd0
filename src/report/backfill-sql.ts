import type { BackfillSpec } from '../plan/index.js';
import { quoteIdent } from '../state/index.js';

/**
 * The first batch of a backfill in the shape the engine sends it: an UPDATE
 * over a key range, `$1..$n` being the last key of the batch. Later batches
 * add a lower bound. Shown in reports and EXPLAINed; with `keys` unknown
 * (offline) it names them.
 */
export function backfillBatchSql(spec: BackfillSpec, keys: readonly string[] | null): string {
  const table = spec.table.split('.').map(quoteIdent).join('.');
  const cols = keys === null ? ['<key>'] : keys.map(quoteIdent);
  const params = cols.map((_, i) => `$${i + 1}`).join(', ');
  return [
    `UPDATE ${table} SET ${spec.set}`,
    ` WHERE (${cols.join(', ')}) <= (${params})${spec.where === undefined ? '' : ` AND (${spec.where})`}`,
  ].join('\n');
}
