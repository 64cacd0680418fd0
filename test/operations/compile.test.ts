import { describe, expect, it } from 'vitest';
import { ops } from '../../src/index.js';
import { buildMigration } from '../../src/plan/index.js';

const build = (definition: object) => buildMigration('20260101000000_ops', 'migrations/20260101000000_ops.ts', definition);

describe('operations compiled into phases', () => {
  it('places operations in the order listed, before the phase\'s own SQL, and undoes them in reverse', () => {
    const migration = build({
      operations: [ops.sql({ expand: { sql: 'CREATE TABLE a (id int)', down: 'DROP TABLE a' } }), ops.sql({ expand: { sql: 'CREATE TABLE b (id int)', down: 'DROP TABLE b' } })],
      expand: { sql: 'CREATE TABLE c (id int)', down: 'DROP TABLE c' },
    });
    const expand = migration.units[0];
    expect(expand?.steps.map((s) => (s.kind === 'sql' ? s.sql : ''))).toEqual(['CREATE TABLE a (id int)', 'CREATE TABLE b (id int)', 'CREATE TABLE c (id int)']);
    expect(expand?.down).toEqual(['DROP TABLE c', 'DROP TABLE b', 'DROP TABLE a']);
  });

  it('has no down for a phase where one contributor cannot be undone, so rollback refuses rather than half-undoes', () => {
    const migration = build({ operations: [ops.sql({ expand: { sql: 'CREATE TABLE a (id int)', down: 'DROP TABLE a' } }), ops.sql({ expand: 'CREATE TABLE b (id int)' })] });
    expect(migration.units[0]?.down).toBeUndefined();
  });

  it('gives generated phases the gates listed under gates, and refuses a generated drop without one', () => {
    const gated = build({ operations: [ops.sql({ drop: 'DROP TABLE old' })], gates: { drop: { marker: 'v1-retired' } } });
    expect(gated.units[0]?.gate).toEqual({ kind: 'marker', name: 'v1-retired' });
    expect(() => build({ operations: [ops.sql({ drop: 'DROP TABLE old' })] })).toThrow(/gates\.drop: is required/);
  });

  it('refuses a gate given twice, and a gate for a phase nothing creates', () => {
    expect(() =>
      build({ operations: [ops.sql({ contract: 'SELECT 1' })], contract: { sql: 'SELECT 2', gate: { marker: 'a' } }, gates: { contract: { marker: 'b' } } }),
    ).toThrow(/gates\.contract: the contract phase already has its own gate/);
    expect(() => build({ operations: [ops.sql({ expand: 'SELECT 1' })], gates: { contract: { marker: 'b' } } })).toThrow(/gates\.contract: no operation/);
  });

  it('names the operation index and field of a bad parameter, and an unknown operation', () => {
    expect(() => build({ operations: [ops.sql({ expand: 'SELECT 1' }), ops.sql({})] })).toThrow(/operations\.1: names no phase/);
    expect(() => build({ operations: [{ op: 'renameEverything' }] })).toThrow(/operations\.0\.op: "renameEverything" is not an operation/);
  });

  it('changes the fingerprint of exactly the phases whose generated SQL changed', () => {
    const a = build({ operations: [ops.sql({ expand: 'CREATE TABLE a (id int)', contract: 'SELECT 1' })], gates: {} });
    const b = build({ operations: [ops.sql({ expand: 'CREATE TABLE a (id bigint)', contract: 'SELECT 1' })] });
    expect(a.fingerprints.contract).toBe(b.fingerprints.contract);
    expect(a.fingerprints.expand).not.toBe(b.fingerprints.expand);
  });
});
