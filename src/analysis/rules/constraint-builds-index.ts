import { displayRelation } from '../relation.js';
import { existingAlter, type RuleContext, type RuleHit } from '../rule-context.js';
import type { ClassifiedStatement, ConstraintInfo } from '../statement.js';
import { constraintWork } from '../table-effects.js';

const LABELS = { unique: 'UNIQUE', primaryKey: 'PRIMARY KEY', exclusion: 'EXCLUDE' } as const;

/** UNIQUE / PRIMARY KEY / EXCLUDE build their index inside ALTER TABLE, under ACCESS EXCLUSIVE. */
export function constraintBuildsIndex(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  const alter = existingAlter(stmt, ctx);
  if (alter === undefined) return [];
  const table = displayRelation(alter.table);
  const size = ctx.size(alter.table);
  const hits: RuleHit[] = [];
  const judge = (c: ConstraintInfo, where: string): void => {
    if ((c.type !== 'unique' && c.type !== 'primaryKey' && c.type !== 'exclusion') || constraintWork(c) !== 'indexBuild') return;
    const label = `${c.name === undefined ? '' : `${c.name} `}${LABELS[c.type]}`;
    hits.push({
      severity: size.severity,
      message: `${where}${label} on ${table} builds its index while holding an ACCESS EXCLUSIVE lock: every read and write of ${table} waits until the build ends (${size.note})`,
      ...(c.type === 'exclusion'
        ? { hint: 'An exclusion constraint cannot adopt an existing index: create it with the table, or suppress with a reason after measuring the build on a copy.' }
        : {}),
    });
  };
  for (const cmd of alter.commands) {
    if (cmd.kind === 'addConstraint') judge(cmd.constraint, 'ADD CONSTRAINT ');
    if (cmd.kind === 'addColumn') for (const c of cmd.constraints) judge(c, `ADD COLUMN ${cmd.column} with an inline `);
  }
  return hits;
}
