import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { advance, rollback } from '../../src/execute/index.js';
import type { RunnerSession } from '../../src/pg/index.js';
import { testPolicy } from '../support/policy.js';

/**
 * Checked by `tsc --noEmit -p .`: each `@ts-expect-error` fails the compile
 * if the line below it ever type-checks. Never called: nothing connects.
 */
function compileOnly(pool: pg.Pool, client: pg.Client, checkedOut: pg.PoolClient): void {
  // @ts-expect-error a pool spreads BEGIN, COMMIT and the session lock over several connections
  void advance({ db: pool, schema: 'phasegate', migrations: [], policy: testPolicy });
  // @ts-expect-error the same for rollback
  void rollback({ db: pool, schema: 'phasegate', migration: undefined as never, policy: testPolicy });
  const sessions: RunnerSession[] = [client, checkedOut];
  void sessions;
}

describe('the runner session type', () => {
  it('accepts a client or a checked-out pool client and refuses a pool (checked by tsc)', () => {
    expect(typeof compileOnly).toBe('function');
  });
});
