import { writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject, describe, expect, it } from 'vitest';
import { buildMigration } from '../../src/plan/index.js';
import { rehearse, type CheckFunction } from '../../src/index.js';
import { testPolicy } from '../support/policy.js';

const admin = inject('adminUrl');

const addStatus = buildMigration('20260101000000_add_status', '20260101000000_add_status.ts', {
  expand: { sql: ["ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new'", 'CREATE INDEX orders_status_idx ON orders (status)'] },
});

describe('rehearse() as a library function', () => {
  it('runs app checks given as functions, with committed traffic on several connections, and reports zero errors for a correct migration', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'phasegate-lib-'));
    const setup = path.join(dir, 'setup.sql');
    await writeFile(setup, 'CREATE TABLE orders (id bigserial PRIMARY KEY, total int NOT NULL);\nINSERT INTO orders (total) SELECT g FROM generate_series(1, 2000) g;\n');
    const oldApp: CheckFunction = async (client) => {
      await client.query({ name: 'old_insert', text: 'INSERT INTO orders (total) VALUES ($1)', values: [7] });
      await client.query({ name: 'old_read', text: 'SELECT id, total FROM orders WHERE id = $1', values: [1] });
    };
    const newApp: CheckFunction = async (client) => {
      const { rows } = await client.query<{ status: string }>("INSERT INTO orders (total) VALUES (1) RETURNING status");
      if (rows[0]?.status !== 'new') throw new Error(`status is ${String(rows[0]?.status)}`);
    };
    const report = await rehearse({
      migrations: [addStatus],
      scratchServerUrl: admin,
      schema: 'phasegate',
      policy: testPolicy,
      setup: [setup],
      apps: [
        { name: 'old', check: oldApp, until: 'contract' },
        { name: 'new', check: newApp, from: 'expand' },
      ],
      traffic: { connections: 2, maxMs: 30_000 },
    });
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => [s.step, s.apps])).toEqual([
      [1, { old: 'works', new: 'outside' }],
      [2, { old: 'works', new: 'works' }],
    ]);
    const traffic = report.steps.flatMap((s) => Object.values(s.traffic));
    expect(traffic.reduce((n, t) => n + t.queries, 0)).toBeGreaterThan(0);
    expect(traffic.reduce((n, t) => n + t.errors, 0)).toBe(0);
    expect(report.steps[1]?.sizes.map((s) => s.table)).toEqual(['public.orders']);
    expect(report.steps[1]?.sizes[0]?.indexBytesAfter).toBeGreaterThan(report.steps[1]?.sizes[0]?.indexBytesBefore ?? Infinity);
  });

  it('reports how long traffic waited on the lock a step held', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'phasegate-lib-'));
    const setup = path.join(dir, 'setup.sql');
    await writeFile(setup, 'CREATE TABLE orders (id bigserial PRIMARY KEY, total int NOT NULL);\nINSERT INTO orders (total) VALUES (1);\n');
    // The LOCK is built at run time, so analysis reports it as not analysed (info) instead of refusing it.
    const holdsLock = buildMigration('20260101000000_hold', '20260101000000_hold.ts', {
      expand: { sql: ['ALTER TABLE orders ADD COLUMN note text',
        "DO $$ BEGIN EXECUTE format('LOCK TABLE %I IN ACCESS EXCLUSIVE MODE', 'orders'); PERFORM pg_sleep(0.8); END $$"] },
    });
    const app: CheckFunction = async (client) => {
      await client.query('SELECT id, total FROM orders WHERE id = 1');
    };
    const report = await rehearse({
      migrations: [holdsLock],
      scratchServerUrl: admin,
      schema: 'phasegate',
      policy: testPolicy,
      setup: [setup],
      apps: [{ name: 'old', check: app }],
      traffic: { connections: 2, maxMs: 30_000 },
    });
    expect(report.ok).toBe(true);
    expect(report.steps[1]?.longestLockWaitMs).toBeGreaterThanOrEqual(400);
    expect(report.steps[1]?.longestTrafficWaitMs).toBeGreaterThanOrEqual(400);
  });
});
