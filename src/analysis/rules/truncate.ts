import { displayRelation } from '../relation.js';
import type { RuleContext, RuleHit } from '../rule-context.js';
import type { ClassifiedStatement } from '../statement.js';

/** TRUNCATE deletes every row of a live table and blocks all access while it waits and runs. */
export function truncate(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  if (stmt.kind !== 'truncate') return [];
  return stmt.tables
    .filter((t) => !ctx.migration.isNew(t))
    .map((t) => ({
      severity: 'error',
      message: `TRUNCATE ${displayRelation(t)} deletes every row and takes an ACCESS EXCLUSIVE lock on ${displayRelation(t)}`,
    }));
}
