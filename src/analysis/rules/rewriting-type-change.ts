import { displayRelation } from '../relation.js';
import { existingAlter, type RuleContext, type RuleHit } from '../rule-context.js';
import type { ClassifiedStatement } from '../statement.js';
import { displayType } from '../type-name.js';

/** ALTER COLUMN TYPE that is not a binary-coercible relaxation rewrites the table and its indexes. */
export function rewritingTypeChange(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  const alter = existingAlter(stmt, ctx);
  if (alter === undefined) return [];
  const table = displayRelation(alter.table);
  const hits: RuleHit[] = [];
  for (const cmd of alter.commands) {
    if (cmd.kind !== 'alterColumnType') continue;
    const verdict = ctx.typeChange(alter.table, cmd);
    if (verdict.kind === 'noRewrite') continue;
    const size = ctx.size(alter.table);
    const target = cmd.type === undefined ? 'a new type' : displayType(cmd.type);
    hits.push(
      verdict.kind === 'rewrite'
        ? {
            severity: size.severity,
            message: `ALTER COLUMN ${cmd.column} TYPE ${target} on ${table} rewrites the table and rebuilds its indexes under an ACCESS EXCLUSIVE lock: ${verdict.reason} (${size.note})`,
          }
        : {
            severity: 'warning',
            message: `ALTER COLUMN ${cmd.column} TYPE ${target} on ${table} may rewrite the table under an ACCESS EXCLUSIVE lock: ${verdict.reason} (${size.note})`,
            hint: 'Pass the current column types to the analysis (columnTypes) so it can tell; if it does rewrite, add a new column, dual-write and backfill it instead.',
          },
    );
  }
  return hits;
}
