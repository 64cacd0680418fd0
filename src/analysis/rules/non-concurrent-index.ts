import { displayRelation } from '../relation.js';
import type { RuleContext, RuleHit } from '../rule-context.js';
import type { ClassifiedStatement } from '../statement.js';

/**
 * A plain CREATE INDEX holds SHARE on the table for the whole build, so every
 * write waits; a plain DROP INDEX takes ACCESS EXCLUSIVE on the table and, while
 * it queues behind running queries, every new query queues behind it.
 */
export function nonConcurrentIndex(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  if (stmt.kind === 'createIndex') {
    if (stmt.concurrent || ctx.migration.isNew(stmt.table)) return [];
    const table = displayRelation(stmt.table);
    const size = ctx.size(stmt.table);
    const what = `CREATE ${stmt.unique ? 'UNIQUE ' : ''}INDEX${stmt.index === undefined ? '' : ` ${stmt.index}`}`;
    return [
      {
        severity: size.severity,
        message: `${what} on ${table} without CONCURRENTLY holds a SHARE lock on ${table} for the whole build: INSERT, UPDATE and DELETE on ${table} wait until it finishes (${size.note})`,
      },
    ];
  }
  if (stmt.kind === 'drop' && stmt.objectType === 'index' && !stmt.concurrent) {
    return stmt.objects
      .filter((o) => !ctx.migration.isNew(o.name))
      .map((o) => ({
        severity: 'warning',
        message: `DROP INDEX ${displayRelation(o.name)} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table: while it waits for running queries, every read and write of the table queues behind it`,
        hint: 'Use DROP INDEX CONCURRENTLY in a non-transactional step of its own.',
      }));
  }
  return [];
}
