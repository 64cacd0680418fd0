import type { RuleContext, RuleHit } from '../rule-context.js';
import type { ClassifiedStatement } from '../statement.js';

/**
 * PostgreSQL refuses to use an enum value added by ALTER TYPE ... ADD VALUE
 * before the adding transaction commits ("unsafe use of new value").
 */
export function enumValueInTransaction(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  const tx = ctx.transaction;
  if (stmt.kind === 'addEnumValue' || tx === undefined) return [];
  return tx.newEnumValuesUsed.map((use) => ({
    severity: 'error',
    message: `'${use.value}' was added to type ${use.typeName} on line ${use.line} in the same transaction, because ${tx.reason}: PostgreSQL fails this statement with "unsafe use of new value '${use.value}'"`,
  }));
}
