import { silentLogger, type Logger } from '../logger.js';
import { PhasegateError } from '../errors.js';
import { phaseIndex, type Migration, type Phase } from '../plan/index.js';
import type { RunnerSession } from '../pg/index.js';
import { withRunnerLock } from './runner-lock.js';
import { StateStore, withTransaction } from '../state/index.js';
import { describePgError } from './pg-errors.js';
import type { ExecutionPolicy } from './policy.js';

export interface RollbackOptions {
  /** A dedicated session: it holds the runner lock while the downs run. */
  readonly db: RunnerSession;
  readonly schema: string;
  readonly migration: Migration;
  readonly policy: ExecutionPolicy;
  readonly logger?: Logger | undefined;
}

export type RollbackResult =
  | { readonly kind: 'rolledBack'; readonly migration: string; readonly phases: readonly Phase[] }
  | { readonly kind: 'locked' };

/** Phases after which state A is gone: undoing them would need data that no longer exists. */
export const IRREVERSIBLE_PHASES: ReadonlySet<Phase> = new Set(['contract', 'drop']);

/**
 * Undoes a migration's phases that ran, newest first, each with its `down`
 * statements and its state record in one transaction. Refused as a whole,
 * before anything runs, once contract has run or when a phase that changed
 * the schema or rows has no `down`. Rolled-back phases are held: advance
 * stops at them until `reapply`.
 */
export async function rollback(options: RollbackOptions): Promise<RollbackResult> {
  const { db, schema, migration, policy } = options;
  const logger = options.logger ?? silentLogger;
  return withRunnerLock(db, schema, async () => {
    const store = new StateStore(db, schema);
    const records = (await store.units()).filter((u) => u.migrationId === migration.id && u.state !== 'rolledBack');
    const ranPhases = records.map((r) => r.phase).sort((a, b) => phaseIndex(b) - phaseIndex(a));
    if (ranPhases.length === 0) {
      throw new PhasegateError('USAGE', `${migration.id} has no phase to roll back`, {
        hint: '`migrate status` shows which phases ran',
      });
    }
    const irreversible = ranPhases.filter((p) => IRREVERSIBLE_PHASES.has(p));
    if (irreversible.length > 0) {
      throw new PhasegateError('REFUSED', `${migration.id} cannot be rolled back: ${irreversible.join(' and ')} ran, so state A is gone`, {
        hint: 'write a new migration that moves forward to the shape you want',
      });
    }
    // Rows a backfill changed stay changed without a down; forgetting its
    // progress would then apply a non-idempotent `set` twice on the re-run.
    const backfilled = ((await store.backfills.record(migration.id))?.batches ?? 0) > 0;
    const noDown = ranPhases.filter((phase) => {
      const unit = migration.units.find((u) => u.phase === phase);
      const changes = unit?.steps.some((s) => s.kind === 'sql' || (s.kind === 'backfill' && backfilled)) === true;
      return unit?.down === undefined && changes;
    });
    if (noDown.length > 0) {
      throw new PhasegateError('REFUSED', `${migration.id} cannot be rolled back: phase ${noDown.join(', ')} has no down`, {
        hint: 'add `down` statements that undo those phases (a backfill phase\'s down must undo its rows), or move forward instead',
      });
    }
    for (const phase of ranPhases) {
      const down = migration.units.find((u) => u.phase === phase)?.down ?? [];
      try {
        await withTransaction(db, async () => {
          await db.query(`SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)`, [
            `${policy.timeouts.lockTimeoutMs}ms`,
            `${policy.timeouts.statementTimeoutMs}ms`,
          ]);
          for (const sql of down) await db.query(sql);
          // In the same transaction: the undo and the forgotten progress commit together or not at all.
          await store.rollBackUnit(migration.id, phase);
        });
      } catch (error) {
        throw new PhasegateError('STEP_FAILED', `${migration.id} ${phase} down failed: ${describePgError(error)}`, {
          hint: 'the phase was left as it was (its down ran in one transaction); fix down and run rollback again',
          cause: error,
        });
      }
      logger.info({ migration: migration.id, phase }, 'phase rolled back');
    }
    return { kind: 'rolledBack', migration: migration.id, phases: ranPhases };
  });
}
