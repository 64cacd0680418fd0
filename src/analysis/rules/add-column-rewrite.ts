import { displayRelation } from '../relation.js';
import { existingAlter, type RuleContext, type RuleHit } from '../rule-context.js';
import type { ClassifiedStatement } from '../statement.js';
import { addColumnRewriteReason } from '../table-effects.js';

/** ADD COLUMN whose value differs per row (volatile default, identity, stored generated) rewrites the table. */
export function addColumnRewrite(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  const alter = existingAlter(stmt, ctx);
  if (alter === undefined) return [];
  const table = displayRelation(alter.table);
  const hits: RuleHit[] = [];
  for (const cmd of alter.commands) {
    if (cmd.kind !== 'addColumn') continue;
    const reason = addColumnRewriteReason(cmd, ctx.pgVersion);
    if (reason === undefined) continue;
    const size = ctx.size(alter.table);
    hits.push({
      severity: size.severity,
      message: `ADD COLUMN ${cmd.column} on ${table} rewrites the whole table under an ACCESS EXCLUSIVE lock: ${reason} (${size.note})`,
    });
  }
  return hits;
}
