import { displayRelation } from '../relation.js';
import { existingAlter, type RuleContext, type RuleHit } from '../rule-context.js';
import type { ClassifiedStatement } from '../statement.js';

/**
 * SET NOT NULL scans the whole table under ACCESS EXCLUSIVE, unless (PG 12+)
 * a validated CHECK (col IS NOT NULL) already proves it.
 */
export function setNotNullWithoutCheck(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  const alter = existingAlter(stmt, ctx);
  if (alter === undefined) return [];
  const table = displayRelation(alter.table);
  const hits: RuleHit[] = [];
  for (const cmd of alter.commands) {
    const column =
      cmd.kind === 'setNotNull'
        ? cmd.column
        : cmd.kind === 'addConstraint' && cmd.constraint.type === 'notNull' && !cmd.constraint.notValid
          ? cmd.constraint.notNullColumn
          : undefined;
    if (column === undefined) continue;
    if (ctx.notNullProof(alter.table, column) !== undefined) continue;
    const size = ctx.size(alter.table);
    const why =
      ctx.pgVersion >= 12
        ? `no validated CHECK (${column} IS NOT NULL) precedes it in this migration${ctx.catalogColumn(alter.table, column) === undefined ? '' : ' or exists in the catalog'}`
        : `PostgreSQL ${ctx.pgVersion} cannot use a CHECK constraint to skip the scan`;
    hits.push({
      severity: size.severity,
      message: `SET NOT NULL on ${table}.${column} scans every row under an ACCESS EXCLUSIVE lock because ${why} (${size.note})`,
      hint:
        ctx.pgVersion >= 12
          ? `ADD CONSTRAINT ${alter.table.name}_${column}_not_null CHECK (${column} IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it in a later statement, then SET NOT NULL (no scan) and drop the CHECK.`
          : 'Before PostgreSQL 12 there is no scan-free SET NOT NULL: keep a validated CHECK (col IS NOT NULL) instead, or run it in a quiet window with a lock_timeout.',
    });
  }
  return hits;
}
