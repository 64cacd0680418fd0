import { PhasegateError } from '../errors.js';
import type { Queryable } from '../state/index.js';
import { describeMissingPrivilege, describePgError, isMissingPrivilege } from './pg-errors.js';
import { currentRole } from './step-error.js';

/**
 * A privilege missing outside any step (creating or writing the state
 * schema, reading what a gate needs) is a setup problem found before
 * anything ran: PERMISSION_DENIED naming the privilege, the object and the
 * GRANT. Any other error comes back unchanged.
 */
export async function explainSetupError(db: Queryable, schema: string, error: unknown): Promise<unknown> {
  if (error instanceof PhasegateError || !isMissingPrivilege(error)) return error;
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
