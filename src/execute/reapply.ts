import { PhasegateError } from '../errors.js';
import type { Phase } from '../plan/index.js';
import { StateStore } from '../state/index.js';
import type { RunnerSession } from '../pg/index.js';
import { withRunnerLock } from './runner-lock.js';

/** What `reapply` did: released these phases, or found another runner holding the lock. */
export type ReapplyResult =
  | { readonly kind: 'released'; readonly migration: string; readonly phases: readonly Phase[] }
  | { readonly kind: 'locked' };

/**
 * Releases a migration's rolled-back phases: the next advance runs them again
 * from their first step, with the file as it is then (it may have been
 * edited while they were held).
 * @throws PhasegateError (USAGE) when the migration has no rolled-back phase.
 */
export async function reapply(db: RunnerSession, schema: string, migrationId: string): Promise<ReapplyResult> {
  return withRunnerLock(db, schema, async () => {
    const phases = await new StateStore(db, schema).reapply(migrationId);
    if (phases.length === 0) {
      throw new PhasegateError('USAGE', `${migrationId} has no rolled-back phase to reapply`, {
        hint: '`migrate status` shows which phases were rolled back',
      });
    }
    return { kind: 'released', migration: migrationId, phases };
  });
}
