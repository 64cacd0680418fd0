import { PhasegateError } from '../errors.js';
import type { Migration } from '../plan/index.js';
import { StateStore, withTransaction } from '../state/index.js';
import type { RunnerSession } from '../pg/index.js';
import { withRunnerLock } from './runner-lock.js';
import { fileDrift } from './file-drift.js';
import { readState } from './read-state.js';

/** What `forget` did: dropped the records, or found another runner holding the lock. */
export type ForgetResult = { readonly kind: 'forgotten'; readonly migration: string } | { readonly kind: 'locked' };

/**
 * Drops the state records of a migration whose file was deleted, once it is
 * done or fully rolled back; its events stay in the log. Refused while its
 * file exists (advance would run it again) or while it is unfinished.
 * @throws PhasegateError (USAGE) when refused.
 */
export async function forget(db: RunnerSession, schema: string, migrationId: string, migrations: readonly Migration[]): Promise<ForgetResult> {
  const onDisk = migrations.find((m) => m.id === migrationId);
  if (onDisk !== undefined) {
    throw new PhasegateError('USAGE', `${migrationId} still has its file (${onDisk.file}); forget is for migrations whose file is gone`, {
      hint: 'delete the file first; forgetting it while the file exists would make advance run it again',
    });
  }
  return withRunnerLock(db, schema, async () => {
    const store = new StateStore(db, schema);
    const missing = fileDrift(migrations, await readState(db, store, schema)).missing.find((m) => m.id === migrationId);
    if (missing === undefined) {
      throw new PhasegateError('USAGE', `${migrationId}: no such migration in the state store`, { hint: '`migrate status` lists migrations and their files' });
    }
    if (!missing.finished) {
      throw new PhasegateError('USAGE', `${migrationId} is not finished: only a migration that is done or fully rolled back may be forgotten`, {
        hint: 'restore its file and let it finish, or roll it back, then forget it',
      });
    }
    await withTransaction(db, () => store.forgetMigration(migrationId));
    return { kind: 'forgotten', migration: migrationId };
  });
}
