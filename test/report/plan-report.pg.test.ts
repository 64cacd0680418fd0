import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { advance, recordMarker } from '../../src/execute/index.js';
import { preparePlanReport, renderJson, renderMarkdown, renderText, type PlanReport } from '../../src/report/index.js';
import { useTestDatabase } from '../support/database.js';
import { testPolicy } from '../support/policy.js';
import { EXAMPLE_DIR, EXAMPLE_SETTINGS, exampleMigrations, expectGolden, normaliseReport, NOW } from './helpers.js';

const db = useTestDatabase();

async function onlineReport(all = false): Promise<PlanReport> {
  return preparePlanReport({
    migrations: await exampleMigrations(),
    ids: [],
    all,
    settings: EXAMPLE_SETTINGS,
    database: { kind: 'online', db: db.client, schema: 'phasegate' },
    assumedPgVersion: 14,
    now: NOW,
  });
}

describe('plan report with a database', () => {
  beforeAll(async () => {
    await db.client.query(await readFile(`${EXAMPLE_DIR}schema.sql`, 'utf8'));
    await db.client.query('ANALYZE users, orders');
    // Both expands ran: the backfill's column exists, so its batch and verify can be EXPLAINed.
    const ran = await advance({
      db: db.client,
      schema: 'phasegate',
      migrations: await exampleMigrations(),
      policy: testPolicy,
      to: { migrationId: '20261123130000_add_orders_status', phase: 'expand' },
    });
    expect(ran.ran.map((u) => u.phase)).toEqual(['expand', 'expand']);
  });

  it('matches the golden files once sizes, plans and the version are normalised', async () => {
    const report = normaliseReport(await onlineReport());
    await expectGolden('plan-online.txt', renderText(report));
    await expectGolden('plan-online.md', renderMarkdown(report));
    await expectGolden('plan-online.json', renderJson(report));
  });

  it('describes the pending units with sizes, row estimates, gate status and EXPLAINs', async () => {
    const report = await onlineReport();
    expect(report.database).toMatchObject({ kind: 'online', stateInstalled: true });
    expect(report.units.map((u) => u.phase)).toEqual(['dualWrite', 'backfill', 'contract', 'drop']);
    const users = report.relations.find((r) => r.name === 'users');
    expect(users).toMatchObject({ exists: true, rowEstimate: 5000, indexes: [{ name: 'users_pkey' }] });
    expect(users?.totalBytes).toBeGreaterThan(100_000);
    expect(report.summary.biggestTable).toMatchObject({ name: 'users', rowEstimate: 5000 });
    const [backfill, verify] = report.units[1]?.steps ?? [];
    expect(backfill).toMatchObject({ kind: 'backfill', estimate: { rows: 5000, rateSource: 'none' }, explain: { kind: 'plan' } });
    if (backfill?.kind === 'backfill' && backfill.explain.kind === 'plan') expect(backfill.explain.text).toMatch(/^Update on users/);
    expect(backfill?.kind === 'backfill' && backfill.batchSql).toContain('WHERE ("id") <= ($1::bigint) AND ("email_address" IS DISTINCT FROM ("email"))');
    if (verify?.kind === 'verify' && verify.explain.kind === 'plan') expect(verify.explain.text).toMatch(/Aggregate/);
    else expect.fail('verify was not explained');
    expect(report.units[2]?.gate).toMatchObject({ status: 'waiting', missing: expect.stringContaining('no deploy of app "api"') });
    expect(report.summary.gatesWaiting).toBe(2);
  });

  it('shows a gate as holding once its marker and deploy are recorded, and --all includes done units', async () => {
    await recordMarker(db.client, 'phasegate', { kind: 'deploy', app: 'api', version: '2.1.0' }, 'test');
    const report = await onlineReport(true);
    expect(report.units.slice(0, 2).map((u) => u.state)).toEqual(['done', 'done']);
    expect(report.units.find((u) => u.phase === 'contract')?.gate).toMatchObject({ status: 'holds', missing: null });
  });

  it('gives up on sizes and EXPLAIN behind a lock held by a migration instead of queueing', async () => {
    const holder = await db.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
    try {
      const started = Date.now();
      const report = await onlineReport();
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(report.relations.find((r) => r.name === 'users')).toMatchObject({ exists: null, totalBytes: null });
      expect(report.units[1]?.steps[0]).toMatchObject({ explain: { kind: 'unavailable', reason: expect.stringContaining('lock timeout') } });
      expect(renderText(report)).toContain('users: size unknown: its lock could not be had in time');
    } finally {
      await holder.query('ROLLBACK');
    }
  });
});
