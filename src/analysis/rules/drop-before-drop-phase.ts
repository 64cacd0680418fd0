import { describeObject } from '../describe.js';
import { displayRelation } from '../relation.js';
import type { RuleContext, RuleHit } from '../rule-context.js';
import type { ClassifiedStatement, NamedObject } from '../statement.js';

// Objects whose drop loses data (or, for a type or schema, whatever uses it): only the drop phase may do it.
export const DATA_HOLDING = new Set(['table', 'materialized view', 'foreign table', 'type', 'domain', 'schema']);

/**
 * Every phase before `drop` must stay undoable: a drop of something that holds
 * data cannot be rolled back once the transaction commits, so it waits behind
 * the drop phase's gate and soak.
 */
export function dropBeforeDropPhase(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  if (ctx.phase === 'drop') return [];
  const hit = (what: string): RuleHit => ({
    severity: 'error',
    message: `${what} in the ${ctx.phase} phase destroys data that no rollback can bring back`,
    hint: `Move it to the drop phase of this migration (drop: { sql: [...] }), which runs only after its gate and soak, once nothing can need the data again.`,
  });
  // A type renamed away earlier in this migration (the enum-swap pattern) no longer has columns that use it.
  const dropsData = (o: NamedObject): boolean =>
    !ctx.migration.isNew(o.name, o.objectClass) && !(o.objectClass === 'type' && ctx.migration.isRenamedHere(o.name, 'type'));
  if (stmt.kind === 'drop') {
    if (!DATA_HOLDING.has(stmt.objectType)) return [];
    return stmt.objects.filter(dropsData).map((o) => hit(`DROP ${describeObject(o)}`));
  }
  if (stmt.kind !== 'alterTable' || ctx.migration.isNew(stmt.table)) return [];
  return stmt.commands.flatMap((cmd) => (cmd.kind === 'dropColumn' ? [hit(`DROP COLUMN ${displayRelation(stmt.table)}.${cmd.column}`)] : []));
}
