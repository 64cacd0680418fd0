import { displayRelation } from '../relation.js';
import { existingAlter, type RuleContext, type RuleHit } from '../rule-context.js';
import type { ClassifiedStatement } from '../statement.js';

/** SET LOGGED / UNLOGGED / ACCESS METHOD / TABLESPACE copy the table under ACCESS EXCLUSIVE. */
export function tableRewrite(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  const alter = existingAlter(stmt, ctx);
  if (alter === undefined) return [];
  const table = displayRelation(alter.table);
  return alter.commands.flatMap((cmd): readonly RuleHit[] => {
    if (cmd.kind !== 'rewriteTable') return [];
    const size = ctx.size(alter.table);
    return [
      {
        severity: size.severity,
        message: `ALTER TABLE ${table} ${cmd.what} copies the whole table under an ACCESS EXCLUSIVE lock: every read and write waits (${size.note})`,
      },
    ];
  });
}
