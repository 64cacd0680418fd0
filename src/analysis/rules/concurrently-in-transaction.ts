import type { RuleContext, RuleHit } from '../rule-context.js';
import type { ClassifiedStatement } from '../statement.js';
import { outsideTransactionReason } from '../table-effects.js';

/** PostgreSQL rejects these inside a transaction block, so the step would fail every time. */
export function concurrentlyInTransaction(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  const what = outsideTransactionReason(stmt, ctx.pgVersion);
  if (what === undefined || ctx.transaction === undefined) return [];
  return [
    {
      severity: 'error',
      message: `${what} cannot run inside a transaction block, but ${ctx.transaction.reason}: PostgreSQL fails it with "cannot run inside a transaction block"`,
    },
  ];
}
