import { silentLogger, type Logger } from '../logger.js';
import { PhasegateError } from '../errors.js';
import { phaseIndex, type Migration, type Phase } from '../plan/index.js';
import type { RunnerSession } from '../pg/index.js';
import { acquireRunnerLock, ensureStateSchema, releaseRunnerLock, StateStore, withTransaction } from '../state/index.js';
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
const IRREVERSIBLE: ReadonlySet<Phase> = new Set(['contract', 'drop']);

/**
 * Undoes a migration's phases that ran, newest first, each with its `down`
 * statements and its state record in one transaction. Refused as a whole,
 * before anything runs, once contract has run or when a phase that changed
 * the schema has no `down`.
 */
export async function rollback(options: RollbackOptions): Promise<RollbackResult> {
  const { db, schema, migration, policy } = options;
  const logger = options.logger ?? silentLogger;
  if (!(await acquireRunnerLock(db, schema, 0))) return { kind: 'locked' };
  try {
    await ensureStateSchema(db, schema);
    const store = new StateStore(db, schema);
    const records = (await store.units()).filter((u) => u.migrationId === migration.id && u.state !== 'rolledBack');
    const ranPhases = records.map((r) => r.phase).sort((a, b) => phaseIndex(b) - phaseIndex(a));
    if (ranPhases.length === 0) {
      throw new PhasegateError('USAGE', `${migration.id} has no phase to roll back`, {
        hint: '`migrate status` shows which phases ran',
      });
    }
    const irreversible = ranPhases.filter((p) => IRREVERSIBLE.has(p));
    if (irreversible.length > 0) {
      throw new PhasegateError('REFUSED', `${migration.id} cannot be rolled back: ${irreversible.join(' and ')} ran, so state A is gone`, {
        hint: 'write a new migration that moves forward to the shape you want',
      });
    }
    const noDown = ranPhases.filter((phase) => {
      const unit = migration.units.find((u) => u.phase === phase);
      return unit?.down === undefined && unit?.steps.some((s) => s.kind === 'sql') === true;
    });
    if (noDown.length > 0) {
      throw new PhasegateError('REFUSED', `${migration.id} cannot be rolled back: phase ${noDown.join(', ')} has no down`, {
        hint: 'add `down` statements to those phases in a new migration, or move forward instead',
      });
    }
    for (const phase of ranPhases) {
      const down = migration.units.find((u) => u.phase === phase)?.down ?? [];
      const isLast = phase === ranPhases[ranPhases.length - 1];
      try {
        await withTransaction(db, async () => {
          await db.query(`SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)`, [
            `${policy.timeouts.lockTimeoutMs}ms`,
            `${policy.timeouts.statementTimeoutMs}ms`,
          ]);
          for (const sql of down) await db.query(sql);
          await store.rollBackUnit(migration.id, phase);
          // Once nothing of it remains, the migration may be edited again.
          if (isLast) await store.forgetMigration(migration.id);
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
  } finally {
    await releaseRunnerLock(db, schema).catch(() => undefined);
  }
}
