import { displayRelation } from '../relation.js';
import type { RuleContext, RuleHit } from '../rule-context.js';
import type { ClassifiedStatement } from '../statement.js';

/**
 * One UPDATE/DELETE over a whole live table is one long transaction holding
 * row locks on all of it, in any phase: a backfill phase's plain SQL step is
 * no batch either. Without sizes it warns; with them, a large table is an error.
 */
export function unboundedDml(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  if ((stmt.kind !== 'update' && stmt.kind !== 'delete') || stmt.hasWhere) return [];
  if (ctx.migration.isNew(stmt.table)) return [];
  const name = displayRelation(stmt.table);
  const verb = stmt.kind === 'update' ? 'UPDATE' : 'DELETE FROM';
  const size = ctx.size(stmt.table);
  return [
    {
      severity: size.known ? size.severity : 'warning',
      message: `${verb} ${name} without a selective WHERE touches every row in one transaction in the ${ctx.phase} phase: its row locks block concurrent writers of ${name} until it commits, and the table bloats (${size.note})`,
    },
  ];
}
