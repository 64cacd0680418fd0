import pino from 'pino';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineMigration, loadConfig, policyFromConfig, type AdvanceOptions, type ExecutionPolicy, type Logger, type RollbackOptions } from '../../src/index.js';

/*
 * These checks are compile-time: `npm test` runs `tsc --noEmit -p .` before
 * vitest, so a `@ts-expect-error` that no longer finds an error, or an
 * `expectTypeOf` that no longer matches, makes `npm test` fail.
 */
describe('the library API', () => {
  it('rejects a misspelt key in defineMigration at compile time, at any depth', () => {
    defineMigration({
      // @ts-expect-error `expnad` is not a phase
      expnad: { sql: 'SELECT 1' },
    });
    defineMigration({
      // @ts-expect-error `dwon` is not a phase key
      expand: { sql: 'SELECT 1', dwon: 'SELECT 1' },
    });
    defineMigration({
      // @ts-expect-error `lockTimout` is not a step key
      expand: { steps: [{ sql: 'SELECT 1', lockTimout: '5s' }] },
    });
    defineMigration({
      // @ts-expect-error `tabel` is not a backfill key
      backfill: { backfill: { tabel: 'users', table: 'users', set: 'a = b' } },
    });
    const valid = defineMigration({
      expand: { steps: [{ sql: 'CREATE INDEX CONCURRENTLY i ON t (a)', transaction: false, lockTimeout: '5s' }] },
      drop: { sql: 'DROP INDEX i', gate: { marker: 'done' } },
    });
    expect(valid.expand?.steps).toHaveLength(1);
  });

  it("takes a structural Logger, not pino's type, and accepts a pino logger as one", () => {
    expectTypeOf<NonNullable<AdvanceOptions['logger']>>().toEqualTypeOf<Logger>();
    expectTypeOf<NonNullable<RollbackOptions['logger']>>().toEqualTypeOf<Logger>();
    expectTypeOf(pino({ enabled: false })).toExtend<Logger>();
    expectTypeOf<Logger>().not.toHaveProperty('level');
  });

  it('builds the execution policy the CLI uses from a loaded config', async () => {
    expectTypeOf(policyFromConfig).parameter(0).toExtend<Omit<ExecutionPolicy, 'random'>>();
    const config = await loadConfig('/', { configPath: undefined }, {});
    const policy = policyFromConfig(config, () => 0.5);
    expect(policy).toMatchObject({ timeouts: { lockTimeoutMs: 5_000, statementTimeoutMs: 60_000 }, lockRetries: 5 });
    expect(policy.random()).toBe(0.5);
  });
});
