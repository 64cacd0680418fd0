import { describe, expect, it } from 'vitest';
import { buildMigration, orderUnits } from '../../src/plan/index.js';
import { buildTimeline, windowRange } from '../../src/rehearse/window.js';

const rename = buildMigration('20260101000000_rename', '20260101000000_rename.ts', {
  expand: { sql: 'ALTER TABLE users ADD COLUMN email_address text' },
  dualWrite: { sql: ['CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$', 'CREATE TRIGGER t BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION f()'] },
  backfill: { backfill: { table: 'users', set: 'email_address = email', where: 'email_address IS NULL' } },
  contract: { gate: { marker: 'v2' }, sql: ['ALTER TABLE users ALTER COLUMN email DROP NOT NULL', 'DROP TRIGGER t ON users'] },
  drop: { gate: { marker: 'v1-gone' }, sql: 'ALTER TABLE users DROP COLUMN email' },
});
const timeline = buildTimeline(orderUnits([rename]));
const at = (index: number): string => {
  const after = timeline.boundaries[index]?.after;
  return after === null || after === undefined ? 'start' : `${after.phase} ${after.step}`;
};

describe('app windows over the step boundaries', () => {
  it('has the old app work from the start through the last boundary before contract begins', () => {
    const { first, last } = windowRange(timeline, 'start', 'contract');
    expect([at(first), at(last)]).toEqual(['start', 'backfill 1']);
  });

  it('has the new app work from the end of backfill (or of the phase given) through the end of drop', () => {
    const backfill = windowRange(timeline, 'backfill', 'end');
    expect([at(backfill.first), at(backfill.last)]).toEqual(['backfill 1', 'drop 1']);
    const dualWrite = windowRange(timeline, 'dualWrite', 'end');
    expect(at(dualWrite.first)).toBe('dualWrite 2');
  });

  it('gives a named version its own window, e.g. a batch job that must work only until drop', () => {
    const { first, last } = windowRange(timeline, 'expand', 'drop');
    expect([at(first), at(last)]).toEqual(['expand 1', 'contract 2']);
  });
});
