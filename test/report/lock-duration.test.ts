import { describe, expect, it } from 'vitest';
import { buildMigration } from '../../src/plan/index.js';
import { preparePlanReport, renderMarkdown, renderText, type PlanReport } from '../../src/report/index.js';
import { EXAMPLE_SETTINGS, NOW } from './helpers.js';

async function reportOf(definition: Parameters<typeof buildMigration>[2]): Promise<PlanReport> {
  return preparePlanReport({
    migrations: [buildMigration('20270101000000_locks', '/m/20270101000000_locks.ts', definition)],
    ids: [],
    all: false,
    settings: EXAMPLE_SETTINGS,
    database: { kind: 'offline', reason: 'test' },
    assumedPgVersion: 16,
    now: NOW,
  });
}

describe('lock duration in plan reports', () => {
  it('shows an instant ADD COLUMN as a brief ACCESS EXCLUSIVE and ranks a write-blocking index build as the worst lock', async () => {
    const report = await reportOf({
      expand: {
        steps: [
          { sql: 'ALTER TABLE users ADD COLUMN nickname text' },
          { sql: '-- phasegate:allow non-concurrent-index measured on a copy: 2 s\nCREATE INDEX orders_user_idx ON orders (user_id)' },
        ],
      },
    });
    const [unit] = report.units;
    expect(unit?.steps[0]).toMatchObject({ statements: [{ locks: [{ relation: 'users', level: 'ACCESS EXCLUSIVE', held: 'brief' }] }] });
    expect(unit?.worstLock).toMatchObject({ relation: 'orders', level: 'SHARE', held: 'scan' });
    expect(report.summary.worstLock).toMatchObject({ relation: 'orders', held: 'scan', step: 1 });
    expect(renderText(report)).toContain('ACCESS EXCLUSIVE on users, brief');
    expect(renderMarkdown(report)).toContain('SHARE on orders, for a scan');
  });

  it('marks a rewrite, and a lock held until COMMIT by a later statement of the same transaction', async () => {
    const report = await reportOf({
      expand: {
        steps: [
          { sql: '-- phasegate:allow rewriting-type-change tiny table\nALTER TABLE tags ALTER COLUMN id TYPE bigint' },
          { sql: 'ALTER TABLE users ADD COLUMN plan text;\nCOMMENT ON COLUMN users.plan IS $$the plan$$', transaction: true },
        ],
      },
    });
    const steps = report.units[0]?.steps ?? [];
    expect(steps[0]).toMatchObject({ statements: [{ locks: [{ held: 'rewrite' }] }] });
    expect(steps[1]).toMatchObject({ statements: [{ locks: [{ relation: 'users', held: 'transaction' }] }, { kind: 'comment', locks: [] }] });
    expect(report.summary.worstLock).toMatchObject({ relation: 'tags', level: 'ACCESS EXCLUSIVE', held: 'rewrite' });
  });
});
