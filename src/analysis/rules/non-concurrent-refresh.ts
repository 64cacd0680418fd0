import { displayRelation } from '../relation.js';
import type { RuleContext, RuleHit } from '../rule-context.js';
import type { ClassifiedStatement } from '../statement.js';

/** A plain REFRESH MATERIALIZED VIEW blocks every reader of the view until the query finishes. */
export function nonConcurrentRefresh(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  if (stmt.kind !== 'refreshMaterializedView' || stmt.concurrent || ctx.migration.isNew(stmt.view)) return [];
  const name = displayRelation(stmt.view);
  const size = ctx.size(stmt.view);
  return [
    {
      severity: size.severity,
      message: `REFRESH MATERIALIZED VIEW ${name} without CONCURRENTLY holds an ACCESS EXCLUSIVE lock on ${name}: every SELECT on it waits until the view's query has run (${size.note})`,
    },
  ];
}
