import { describe, expect, it } from 'vitest';
import { PhasegateError } from '../../src/errors.js';
import { buildMigration, changedPhases, orderUnits } from '../../src/plan/index.js';

const FILE = 'migrations/20261123120000_x.ts';

function problems(definition: unknown): string {
  try {
    buildMigration('20261123120000_x', FILE, definition);
  } catch (error) {
    expect(error).toBeInstanceOf(PhasegateError);
    expect((error as PhasegateError).code).toBe('INVALID_MIGRATION');
    return (error as PhasegateError).message;
  }
  throw new Error('expected the definition to be refused');
}

describe('buildMigration', () => {
  it.each([
    [{ expand: { gate: { app: 'api', version: '2.x.y' } } }, `${FILE}: expand.gate.version: "2.x.y" is not a valid semver range`],
    [{ expand: { sql: 'SELECT 1', colour: 'blue' } }, `${FILE}: expand: Unrecognized key: "colour"`],
    [{ expnad: { sql: 'SELECT 1' } }, 'Unrecognized key: "expnad"'],
    [{ drop: { sql: 'DROP TABLE t' } }, `${FILE}: drop.gate: is required`],
    [{ expand: { sql: 'SELECT 1', steps: [{ sql: 'SELECT 2' }] } }, `${FILE}: expand.steps: use either sql or steps`],
    [{ contract: { gate: { soak: 'a while' } } }, `${FILE}: contract.gate.soak: "a while" is not a duration`],
    [{ contract: { gate: { sometime: true } } }, `${FILE}: contract.gate: expected a gate`],
    [{ expand: { steps: [{ sql: 'SELECT 1', lockTimeout: 'soon' }] } }, `${FILE}: expand.steps.0.lockTimeout: "soon" is not a duration`],
    [{ expand: { backfill: { table: 't', set: 'a = b' } } }, 'Unrecognized key: "backfill"'],
    [{}, 'declares no phase'],
    ['not an object', 'expected object'],
  ])('refuses %j naming the file and the field', (definition, expected) => {
    expect(problems(definition)).toContain(expected);
  });

  it('reports every problem at once', () => {
    const message = problems({ expand: { sql: '' }, contract: { gate: { marker: '' } } });
    expect(message.split('\n')).toHaveLength(2);
  });

  it('turns phases into units with steps in run order: sql, backfill, verify', () => {
    const m = buildMigration('1_x', FILE, {
      backfill: { sql: 'SELECT 1', backfill: { table: 'users', set: 'a = b' }, verify: 'SELECT 0' },
      expand: { steps: [{ sql: 'CREATE INDEX CONCURRENTLY i ON t (a)', transaction: false, lockTimeout: '1m' }] },
    });
    expect(m.units.map((u) => u.phase)).toEqual(['expand', 'backfill']);
    expect(m.units[0]?.steps[0]).toEqual({ kind: 'sql', sql: 'CREATE INDEX CONCURRENTLY i ON t (a)', transactional: false, lockTimeoutMs: 60_000 });
    expect(m.units[1]?.steps.map((s) => s.kind)).toEqual(['sql', 'backfill', 'verify']);
  });

  it('normalises every gate kind, nested ones included', () => {
    const m = buildMigration('1_x', FILE, {
      drop: { gate: { all: [{ marker: 'm' }, { app: 'api', version: '>=2' }, { soak: '24h' }, { approval: true }] } },
    });
    expect(m.units[0]?.gate).toEqual({
      kind: 'all',
      gates: [
        { kind: 'marker', name: 'm' },
        { kind: 'appVersion', app: 'api', range: '>=2' },
        { kind: 'soak', ms: 86_400_000, text: '24h' },
        { kind: 'approval' },
      ],
    });
  });
});

describe('fingerprints', () => {
  const base = { expand: { sql: 'ALTER TABLE t ADD COLUMN a int' }, contract: { sql: 'SELECT 1' } };

  it('stay the same when only the description changes', () => {
    const a = buildMigration('1_x', FILE, base);
    const b = buildMigration('1_x', FILE, { ...base, description: 'now documented' });
    expect(changedPhases(a.fingerprints, b.fingerprints)).toEqual([]);
  });

  it('name exactly the phases whose SQL, gate or options changed', () => {
    const a = buildMigration('1_x', FILE, base);
    const b = buildMigration('1_x', FILE, { ...base, contract: { sql: 'SELECT 2' }, drop: { gate: { marker: 'm' } } });
    expect(changedPhases(a.fingerprints, b.fingerprints)).toEqual(['contract', 'drop']);
  });
});

describe('orderUnits', () => {
  it('orders by phase first, then by migration id, so no migration overtakes another within a phase', () => {
    const m2 = buildMigration('2_b', FILE, { expand: { sql: 'SELECT 1' }, contract: { sql: 'SELECT 1' } });
    const m1 = buildMigration('1_a', FILE, { expand: { sql: 'SELECT 1' }, backfill: { sql: 'SELECT 1' } });
    expect(orderUnits([m2, m1]).map((u) => `${u.migrationId}:${u.phase}`)).toEqual([
      '1_a:expand',
      '2_b:expand',
      '1_a:backfill',
      '2_b:contract',
    ]);
  });
});
