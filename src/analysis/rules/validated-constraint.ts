import { displayRelation } from '../relation.js';
import { existingAlter, type RuleContext, type RuleHit } from '../rule-context.js';
import type { ClassifiedStatement, ConstraintInfo } from '../statement.js';
import { type ConstraintWork, constraintWork, inlineConstraintWork } from '../table-effects.js';

/**
 * Adding a CHECK or FOREIGN KEY without NOT VALID checks every existing row
 * while holding ACCESS EXCLUSIVE (CHECK) or SHARE ROW EXCLUSIVE on both tables
 * (FOREIGN KEY), blocking writes for the whole scan.
 */
export function validatedConstraint(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  const alter = existingAlter(stmt, ctx);
  if (alter === undefined) return [];
  const table = displayRelation(alter.table);
  const size = ctx.size(alter.table);
  const hits: RuleHit[] = [];
  const judge = (c: ConstraintInfo, where: string, work: ConstraintWork): void => {
    if ((c.type !== 'check' && c.type !== 'foreignKey') || work !== 'validationScan') return;
    const label = `${c.name === undefined ? '' : `${c.name} `}${c.type === 'check' ? 'CHECK' : 'FOREIGN KEY'}`;
    const lock =
      c.references === undefined
        ? `an ACCESS EXCLUSIVE lock on ${table}`
        : `SHARE ROW EXCLUSIVE locks on ${table} and ${displayRelation(c.references)}, blocking writes to both`;
    hits.push({
      severity: size.severity,
      message: `${where}${label} on ${table} validates every existing row while holding ${lock} (${size.note})`,
    });
  };
  for (const cmd of alter.commands) {
    if (cmd.kind === 'addConstraint') judge(cmd.constraint, 'ADD CONSTRAINT ', constraintWork(cmd.constraint));
    if (cmd.kind === 'addColumn') for (const c of cmd.constraints) judge(c, `ADD COLUMN ${cmd.column} with an inline `, inlineConstraintWork(cmd, c));
  }
  return hits;
}
