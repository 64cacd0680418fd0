import { displayRelation } from '../relation.js';
import type { RuleContext, RuleHit } from '../rule-context.js';
import type { ClassifiedStatement } from '../statement.js';

/** CLUSTER rewrites the table in index order under ACCESS EXCLUSIVE. */
export function cluster(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  if (stmt.kind !== 'cluster') return [];
  if (stmt.table === undefined) {
    return [{ severity: 'error', message: 'CLUSTER without a table rewrites every previously clustered table, each under an ACCESS EXCLUSIVE lock' }];
  }
  if (ctx.migration.isNew(stmt.table)) return [];
  const size = ctx.size(stmt.table);
  return [
    {
      severity: size.severity,
      message: `CLUSTER ${displayRelation(stmt.table)} rewrites the table under an ACCESS EXCLUSIVE lock: every read and write waits (${size.note})`,
    },
  ];
}
