import { displayRelation, type StatementFacts } from '../analysis/index.js';
import { PhasegateError } from '../errors.js';
import { redactSecrets } from '../secrets.js';
import type { SqlStep } from '../plan/index.js';
import type { Queryable } from '../state/index.js';
import { describeBlocker, type Blocker } from './blockers.js';
import { describeMissingPrivilege, describePgError, isConnectionLost, isMissingPrivilege, isRetryableLockError } from './pg-errors.js';

/** What is known about a step's last attempt when it failed for good. */
export interface StepFailure {
  /** "<migration> <phase> step <n>", numbered from 1. */
  readonly where: string;
  readonly file: string;
  readonly step: SqlStep;
  readonly facts: readonly StatementFacts[];
  readonly attempts: number;
  readonly lockTimeoutMs: number;
  readonly blockers: readonly Blocker[];
  readonly error: unknown;
}

/**
 * The error a failed SQL step ends `advance` with: what the server said (with
 * its detail and the line in the migration file), what the failure left
 * behind, and what to do next. A lost connection is told apart from a bad
 * statement: it says nothing about the SQL.
 */
export async function stepError(db: Queryable, failure: StepFailure): Promise<PhasegateError> {
  const { where, step, error } = failure;
  // Server errors may quote the statement, and so a password literal in it.
  const described = redactSecrets(describePgError(error, { sql: step.sql, file: failure.file }));
  const builtIndex = failure.facts.find((f) => f.builtIndex !== null)?.builtIndex ?? null;
  // A concurrent build that fails after creating its catalog entry leaves the index INVALID; runSqlStep drops it before it builds again.
  const leftIndex = builtIndex === null ? '' : `\nthe failed concurrent build leaves the INVALID index ${displayRelation(builtIndex)} behind; the next advance drops it before building it again`;
  if (isConnectionLost(error)) {
    const left = step.transactional
      ? 'its transaction did not commit, so nothing of this step was applied'
      : `it ran outside a transaction, so it may have stopped part way${leftIndex === '' ? '' : `;${leftIndex.slice(1)}`}`;
    return new PhasegateError('CONNECTION_FAILED', `${where} did not finish: the connection to the server was lost (${described}); ${left}`, {
      hint: 'check that the server is up and reachable (and whether someone ended the session), then run advance again: it runs this step again',
      cause: error,
    });
  }
  if (isRetryableLockError(error)) {
    const blocked = failure.blockers.length === 0 ? '' : `; blocked by ${failure.blockers.map(describeBlocker).join('; ')}`;
    return new PhasegateError('STEP_FAILED', `${where} failed after ${failure.attempts} attempts waiting ${failure.lockTimeoutMs}ms each for its lock${blocked}: ${described}`, {
      hint: 'another session holds a conflicting lock for long; find it in pg_stat_activity, then run advance again',
      cause: error,
    });
  }
  if (isMissingPrivilege(error)) {
    const role = await currentRole(db);
    const { privilege, hint } = describeMissingPrivilege(error, role);
    return new PhasegateError('STEP_FAILED', `${where} failed: the role ${role} lacks ${privilege}: ${described}`, { hint, cause: error });
  }
  return new PhasegateError('STEP_FAILED', `${where} failed: ${described}${leftIndex}`, {
    hint: step.transactional
      ? 'fix the statement (the transaction was rolled back, nothing of this step was applied) and run advance again'
      : 'fix the cause; the step ran outside a transaction, so check what it left before running advance again',
    cause: error,
  });
}

/** The role the session runs as, quoted as GRANT wants it; a placeholder when the session cannot say. */
export async function currentRole(db: Queryable): Promise<string> {
  try {
    const { rows } = await db.query<{ role: string }>('SELECT quote_ident(current_user) AS role');
    return rows[0]?.role ?? '<role>';
  } catch {
    return '<role>';
  }
}
