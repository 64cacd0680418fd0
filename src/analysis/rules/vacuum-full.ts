import { displayRelation } from '../relation.js';
import type { RuleContext, RuleHit } from '../rule-context.js';
import type { ClassifiedStatement } from '../statement.js';

/** VACUUM FULL rewrites each table under ACCESS EXCLUSIVE. */
export function vacuumFull(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  if (stmt.kind !== 'vacuum' || !stmt.full) return [];
  if (stmt.tables.length === 0) {
    return [{ severity: 'error', message: 'VACUUM FULL without a table rewrites every table in the database, each under an ACCESS EXCLUSIVE lock' }];
  }
  return stmt.tables
    .filter((t) => !ctx.migration.isNew(t))
    .map((t) => {
      const size = ctx.size(t);
      return {
        severity: size.severity,
        message: `VACUUM FULL ${displayRelation(t)} rewrites the table under an ACCESS EXCLUSIVE lock: every read and write waits (${size.note})`,
      };
    });
}
