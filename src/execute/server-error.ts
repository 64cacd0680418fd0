import { PhasegateError } from '../errors.js';
import type { Queryable } from '../state/index.js';
import { describeMissingPrivilege, describePgError, isConnectionLost, isMissingPrivilege } from './pg-errors.js';
import { currentRole } from './step-error.js';

/**
 * Names a server error that escaped every step: a privilege missing outside
 * any step (creating or writing the state schema, reading what a gate
 * needs) is a setup problem found before anything ran, PERMISSION_DENIED
 * with the privilege, the object and the GRANT; a lost connection is
 * CONNECTION_FAILED. Any other error comes back unchanged.
 */
export async function explainServerError(db: Queryable, schema: string, error: unknown): Promise<unknown> {
  if (error instanceof PhasegateError) return error;
  if (isConnectionLost(error)) {
    return new PhasegateError('CONNECTION_FAILED', `the connection to the server was lost: ${describePgError(error)}`, {
      hint: 'check that the server is up and reachable (and whether someone ended the session), then run the command again',
      cause: error,
    });
  }
  if (!isMissingPrivilege(error)) return error;
  const role = await currentRole(db);
  const { privilege, hint } = describeMissingPrivilege(error, role);
  const message = error instanceof Error ? error.message : '';
  // CREATE on the database is what CREATE SCHEMA needs: only the state schema's install asks for it outside a step.
  const forState = message.startsWith('permission denied for database') || message.endsWith(` ${schema}`) ? ` for phasegate's state schema ${schema}` : '';
  return new PhasegateError('PERMISSION_DENIED', `the role ${role} lacks ${privilege}${forState}: ${describePgError(error)}`, {
    hint: forState === '' ? hint : `${hint}; or create the schema once as its owner: CREATE SCHEMA ${schema} AUTHORIZATION ${role}`,
    cause: error,
  });
}
