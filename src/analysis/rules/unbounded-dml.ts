import { displayRelation } from '../relation.js';
import type { RuleContext, RuleHit } from '../rule-context.js';
import type { ClassifiedStatement } from '../statement.js';

/** One UPDATE/DELETE over a whole live table is one long transaction holding row locks on all of it. */
export function unboundedDml(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  if ((stmt.kind !== 'update' && stmt.kind !== 'delete') || stmt.hasWhere || ctx.phase === 'backfill') return [];
  if (ctx.migration.isNew(stmt.table)) return [];
  const name = displayRelation(stmt.table);
  const verb = stmt.kind === 'update' ? 'UPDATE' : 'DELETE FROM';
  return [
    {
      severity: 'error',
      message: `${verb} ${name} without WHERE touches every row in one transaction in the ${ctx.phase} phase: its row locks block concurrent writers of ${name} until it commits, and the table bloats`,
    },
  ];
}
