import { displayRelation } from '../relation.js';
import type { RuleContext, RuleHit } from '../rule-context.js';
import type { ClassifiedStatement } from '../statement.js';
import { LOCK_LEVELS } from '../types.js';

/** Explicit LOCK TABLE holds its lock to the end of the transaction, beyond any one statement. */
export function lockTable(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  if (stmt.kind !== 'lockTable') return [];
  // SHARE and stronger conflict with ROW EXCLUSIVE, i.e. block INSERT/UPDATE/DELETE.
  const blocksWrites = LOCK_LEVELS.indexOf(stmt.mode) >= LOCK_LEVELS.indexOf('SHARE');
  const blocked = stmt.mode === 'ACCESS EXCLUSIVE' ? 'every read and write' : blocksWrites ? 'INSERT, UPDATE and DELETE' : 'schema changes and VACUUM';
  return stmt.tables
    .filter((t) => !ctx.migration.isNew(t))
    .map((t) => ({
      severity: blocksWrites ? 'error' : 'warning',
      message: `LOCK TABLE ${displayRelation(t)} IN ${stmt.mode} MODE blocks ${blocked} on ${displayRelation(t)} until the transaction ends`,
    }));
}
