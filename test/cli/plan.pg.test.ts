import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeProject, migrationSource, runCli } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';

const db = useTestDatabase();
const exampleDir = fileURLToPath(new URL('../../migrations-example/', import.meta.url));
let counter = 0;
const env = (): Record<string, string> => ({ DATABASE_URL: db.url, PHASEGATE_SCHEMA: `plan_cli_${counter}` });
const next = (): number => (counter += 1);

describe('migrate plan', () => {
  it('without a database URL makes an offline JSON report of migrations-example and exits 0', async () => {
    const result = await runCli(['plan', '--format', 'json'], { cwd: exampleDir });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { schemaVersion: number; database: { kind: string; reason: string }; units: unknown[] };
    expect(report.schemaVersion).toBe(2);
    expect(report.database).toEqual(expect.objectContaining({ kind: 'offline', reason: 'no database URL configured' }));
    expect(report.units).toHaveLength(6);
  });

  it('falls back to offline with a warning on stderr when the database does not answer', async () => {
    const result = await runCli(['plan'], { cwd: exampleDir, env: { DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none' } });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('the plan is made offline');
    expect(result.stderr).not.toContain('secret');
    expect(result.stdout).toContain('Not known without a database:');
    expect(result.stdout).not.toContain('\u001b['); // not a TTY: no colour
  });

  it('writes markdown and html to --output, and refuses an unknown format or id with exit 2', async () => {
    const dir = await makeProject({});
    const md = path.join(dir, 'plan.md');
    const written = await runCli(['plan', '--format', 'markdown', '--output', md], { cwd: exampleDir });
    expect(written.code).toBe(0);
    expect(written.stdout).toBe('');
    expect(written.stderr).toContain(`wrote the markdown plan of 6 units to ${md}`);
    expect(await readFile(md, 'utf8')).toContain('## phasegate plan: 6 units');
    const html = path.join(dir, 'plan.html');
    expect((await runCli(['plan', '--format', 'html', '--output', html, '--all'], { cwd: exampleDir })).code).toBe(0);
    expect(await readFile(html, 'utf8')).toMatch(/^<!doctype html>/);
    expect((await runCli(['plan', '--format', 'pdf'], { cwd: exampleDir })).code).toBe(2);
    const unknown = await runCli(['plan', 'nope'], { cwd: exampleDir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no such migration: nope');
  });

  it('with a database shows what already ran and the gate that waits', async () => {
    next();
    const dir = await makeProject({
      '1_widgets.ts': migrationSource({
        expand: { sql: `CREATE TABLE widgets_${counter} (id bigint PRIMARY KEY, name text)`, down: `DROP TABLE widgets_${counter}` },
        contract: { sql: `ALTER TABLE widgets_${counter} ALTER COLUMN name SET NOT NULL`, gate: { marker: 'api-writes-names' } },
      }),
    });
    expect((await runCli(['advance'], { cwd: dir, env: env() })).code).toBe(3);
    const pending = JSON.parse((await runCli(['plan', '--format', 'json'], { cwd: dir, env: env() })).stdout) as {
      database: { kind: string };
      units: { phase: string; state: string; gate: { status: string; missing: string } }[];
      relations: { name: string; exists: boolean }[];
    };
    expect(pending.database.kind).toBe('online');
    expect(pending.units).toEqual([expect.objectContaining({ phase: 'contract', state: 'pending', gate: expect.objectContaining({ status: 'waiting' }) })]);
    expect(pending.relations).toEqual([expect.objectContaining({ name: `widgets_${counter}`, exists: true })]);
    const all = await runCli(['plan', '--all'], { cwd: dir, env: env() });
    expect(all.stdout).toContain('1. 1_widgets · expand · done');
    expect(all.stdout).toContain('marker "api-writes-names": waiting');
  });
});

describe('migrate status, run facts', () => {
  it('shows how long a phase took, its steps and the lock retries recorded for them', async () => {
    next();
    const dir = await makeProject({
      '1_busy.ts': migrationSource({ expand: { sql: [`CREATE TABLE busy_${counter} (id int)`, 'SELECT 1'] }, contract: { sql: 'SELECT 1', gate: { marker: 'never' } } }),
    });
    expect((await runCli(['advance'], { cwd: dir, env: env() })).code).toBe(3);
    // As the runner records a step that waited out two lock timeouts before it got its lock.
    await db.client.query(`UPDATE plan_cli_${counter}.steps SET attempts = 3 WHERE step_index = 0`);
    const status = JSON.parse((await runCli(['status', '--json'], { cwd: dir, env: env() })).stdout) as {
      migrations: { phases: { durationMs: number | null; stepsDone: number; steps: number; lockRetries: number }[] }[];
    };
    expect(status.migrations[0]?.phases).toEqual([
      expect.objectContaining({ stepsDone: 2, steps: 2, lockRetries: 2, durationMs: expect.any(Number) }),
      expect.objectContaining({ stepsDone: 0, steps: 1, lockRetries: 0, durationMs: null }),
    ]);
    const text = (await runCli(['status'], { cwd: dir, env: env() })).stdout;
    expect(text).toMatch(/expand\s+done\s+\S+ {2}took \d+(ms|s), 2\/2 steps, 2 lock retries/);
    expect(text).toMatch(/contract\s+pending\s*\n/);
  });
});

describe('migrate log', () => {
  it('prints the event log oldest first, as text or JSON, for all or one migration', async () => {
    next();
    const dir = await makeProject({
      '1_a.ts': migrationSource({ expand: { sql: `CREATE TABLE log_a_${counter} (id int)` }, contract: { sql: 'SELECT 1', gate: { marker: 'm1' } } }),
      '2_b.ts': migrationSource({ expand: { sql: `CREATE TABLE log_b_${counter} (id int)` } }),
    });
    expect((await runCli(['log'], { cwd: dir, env: env() })).stdout).toBe('no events recorded\n');
    expect((await runCli(['advance'], { cwd: dir, env: env() })).code).toBe(3);
    expect((await runCli(['mark', 'm1', '--by', 'ci'], { cwd: dir, env: env() })).code).toBe(0);
    expect((await runCli(['advance'], { cwd: dir, env: env() })).code).toBe(0);

    const all = await runCli(['log', '--json'], { cwd: dir, env: env() });
    expect(all.code).toBe(0);
    const { events } = JSON.parse(all.stdout) as { events: { kind: string; migrationId: string | null; phase: string | null; at: string }[] };
    expect(events.map((e) => `${e.kind} ${e.migrationId ?? '-'} ${e.phase ?? '-'}`)).toEqual([
      'unitStarted 1_a expand',
      'unitFinished 1_a expand',
      'unitStarted 2_b expand',
      'unitFinished 2_b expand',
      'gateWaiting 1_a contract',
      'markerRecorded - -',
      'unitStarted 1_a contract',
      'unitFinished 1_a contract',
    ]);
    expect(events.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);

    const text = await runCli(['log', '--migration', '1_a'], { cwd: dir, env: env() });
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[2]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}gateWaiting {6}1_a contract {2}waiting: marker "m1" not recorded/);
    expect((await runCli(['log', '--limit', '2', '--json'], { cwd: dir, env: env() })).stdout).toContain('"unitStarted"');
    expect((await runCli(['log', '--limit', 'x'], { cwd: dir, env: env() })).code).toBe(2);
  });
});
