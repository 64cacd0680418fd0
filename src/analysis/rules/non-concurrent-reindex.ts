import { displayRelation } from '../relation.js';
import type { RuleContext, RuleHit } from '../rule-context.js';
import type { ClassifiedStatement } from '../statement.js';

const PRE_12_HINT =
  'Before PostgreSQL 12: CREATE INDEX CONCURRENTLY a copy, DROP INDEX CONCURRENTLY the old one, then rename the copy.';

/** Plain REINDEX blocks writes to the table and every query that would use the index. */
export function nonConcurrentReindex(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  if (stmt.kind !== 'reindex') return [];
  if (stmt.concurrent) {
    return ctx.pgVersion >= 12
      ? []
      : [{ severity: 'error', message: `REINDEX CONCURRENTLY ${stmt.name} needs PostgreSQL 12 or later; the server is ${ctx.pgVersion}`, hint: PRE_12_HINT }];
  }
  const hint = ctx.pgVersion >= 12 ? undefined : PRE_12_HINT;
  const withHint = (hit: RuleHit): RuleHit => (hint === undefined ? hit : { ...hit, hint });
  if (stmt.relation === undefined) {
    return [withHint({ severity: 'error', message: `REINDEX ${stmt.target.toUpperCase()} ${stmt.name} rebuilds every index in it, each blocking writes to its table` })];
  }
  if (ctx.migration.isNew(stmt.relation)) return [];
  const name = displayRelation(stmt.relation);
  const size = ctx.size(stmt.relation);
  const effect =
    stmt.target === 'index'
      ? `takes an ACCESS EXCLUSIVE lock on index ${name} (queries that would use it wait) and blocks writes to its table`
      : `blocks writes to ${name} and every query using one of its indexes`;
  return [withHint({ severity: size.severity, message: `REINDEX ${stmt.target.toUpperCase()} ${name} ${effect} until the rebuild ends (${size.note})` })];
}
