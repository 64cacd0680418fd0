import { relationFromDisplay } from '../relation.js';
import type { RuleContext, RuleHit } from '../rule-context.js';
import { statementFacts } from '../facts.js';
import type { ClassifiedStatement } from '../statement.js';
import { LOCK_LEVELS, type RelationLock } from '../types.js';

const SHARE = LOCK_LEVELS.indexOf('SHARE');

/**
 * PostgreSQL releases table locks only at COMMIT. A lock that blocks writes,
 * taken by an earlier statement of the transaction, is still held while a later
 * statement scans or rewrites a table: the brief lock becomes a long one.
 */
export function lockHeldInTransaction(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  const tx = ctx.transaction;
  if (tx === undefined || tx.heldLocks.length === 0) return [];
  const own = statementFacts(stmt, ctx);
  if (own.lockDuration !== 'scan' && own.lockDuration !== 'rewrite') return [];
  const work = own.lockDuration === 'rewrite' ? 'rewrites' : 'reads every row of';
  const target = own.locks[0]?.relation ?? 'a table';
  const size = ctx.size(relationFromDisplay(target));
  const validation = sameTransactionValidation(stmt, ctx);
  return tx.heldLocks
    .filter((held) => LOCK_LEVELS.indexOf(held.level) >= SHARE && !ownCovers(own.locks, held))
    .map((held) => ({
      severity: size.severity,
      message:
        validation !== undefined
          ? `VALIDATE CONSTRAINT ${validation.name} runs in the same transaction as its ADD CONSTRAINT ... NOT VALID (line ${validation.line}), so the ${held.level} lock on ${held.relation} is held through the whole validating scan of ${target}, because ${tx.reason} (${size.note})`
          : `this statement ${work} ${target} while the ${held.level} lock on ${held.relation} taken on line ${held.line} is still held (locks last until COMMIT), because ${tx.reason}: ${held.level === 'ACCESS EXCLUSIVE' ? 'every read and write' : 'every write'} of ${held.relation} waits for the whole ${own.lockDuration} (${size.note})`,
    }));
}

/** The constraint a VALIDATE CONSTRAINT checks when this same transaction added it NOT VALID. */
function sameTransactionValidation(stmt: ClassifiedStatement, ctx: RuleContext): { readonly name: string; readonly line: number } | undefined {
  if (stmt.kind !== 'alterTable') return undefined;
  for (const cmd of stmt.commands) {
    const line = cmd.kind === 'validateConstraint' ? ctx.transaction?.notValidLine(stmt.table, cmd.name) : undefined;
    if (line !== undefined && cmd.kind === 'validateConstraint') return { name: cmd.name, line };
  }
  return undefined;
}

/** The statement itself takes at least this lock on that relation: its own rule already judges it. */
function ownCovers(own: readonly RelationLock[], held: RelationLock): boolean {
  return own.some((l) => l.relation === held.relation && LOCK_LEVELS.indexOf(l.level) >= LOCK_LEVELS.indexOf(held.level));
}
