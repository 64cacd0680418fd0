import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { copyExample, EXAMPLE_DIR, exampleArgs, restoreBrokenContractOrder, scratchDatabases, scratchNameIn } from './helpers.js';

const admin = inject('adminUrl');

interface JsonReport {
  readonly ok: boolean;
  readonly failures: readonly { app: string; migration: string; phase: string; step: number; statement: string; error: string; class: string; source: string }[];
  readonly steps: readonly { migration: string; phase: string; step: number; apps: Record<string, string>; traffic: Record<string, { errors: number; queries: number }> }[];
  readonly gates: readonly { migration: string; phase: string; waitsFor: string }[];
}

describe('migrate rehearse on the example migrations', () => {
  it('exits 1 naming contract step 5 and the failing insert of app v2 when the sync trigger is dropped before email loses NOT NULL', async () => {
    const dir = await copyExample();
    await restoreBrokenContractOrder(dir);
    const result = await runCli(exampleArgs(admin, '--json'), { cwd: dir });
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.ok).toBe(false);
    expect(report.failures[0]).toMatchObject({
      app: 'new',
      migration: '20261123120000_rename_users_email',
      phase: 'contract',
      step: 5,
      statement: "INSERT INTO users (name, email_address) VALUES ('v2 user', 'v2@example.com')",
      class: 'error',
    });
    expect(report.failures[0]?.error).toMatch(/null value in column "email"/);
    expect(report.failures.map((f) => f.step)).toEqual([5, 6]);
    expect(await scratchDatabases(admin)).not.toContain(scratchNameIn(result.stderr));
  });

  it('exits 0 with every app working in its window for the fixed order, marking where the gates would stop, and drops its scratch database', async () => {
    const result = await runCli(exampleArgs(admin, '--json'), { cwd: EXAMPLE_DIR });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.ok).toBe(true);
    expect(report.failures).toEqual([]);
    const contract = report.steps.filter((s) => s.phase === 'contract');
    expect(contract.map((s) => s.apps)).toEqual(contract.map(() => ({ old: 'outside', new: 'works' })));
    expect(report.steps.find((s) => s.phase === 'backfill' && s.step === 1)?.apps).toEqual({ old: 'works', new: 'outside' });
    expect(report.gates.map((g) => `${g.phase}: ${g.waitsFor}`)).toEqual([
      expect.stringMatching(/^contract: .*api.*>=2\.0\.0/),
      expect.stringMatching(/^drop: .*api-v1-retired/),
    ]);
    expect(await scratchDatabases(admin)).not.toContain(scratchNameIn(result.stderr));
  });

  it('prints the step by app matrix as text and as markdown for a PR comment', async () => {
    const text = await runCli(exampleArgs(admin), { cwd: EXAMPLE_DIR });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/20261123120000_rename_users_email contract 5: .* works/);
    expect(text.stdout).toContain('every app version worked at every step of its window');
    const markdown = await runCli(exampleArgs(admin, '--format', 'markdown'), { cwd: EXAMPLE_DIR });
    expect(markdown.code, markdown.stderr).toBe(0);
    expect(markdown.stdout).toContain('### ✅ Rehearsal');
    expect(markdown.stdout).toMatch(/\| 20261123120000_rename_users_email contract 5 \| `DROP FUNCTION IF EXISTS "pgate_users_email_address_sync"\(\)` \|.*\| — \| ✅ works \|/);
  });

  it('puts the measured duration and app matrix of a saved rehearsal next to each unit of `migrate plan --rehearsal`', async () => {
    const saved = path.join(await mkdtemp(path.join(tmpdir(), 'phasegate-saved-')), 'rehearsal.json');
    const rehearsal = await runCli(exampleArgs(admin, '--save', saved), { cwd: EXAMPLE_DIR });
    expect(rehearsal.code, rehearsal.stderr).toBe(0);
    const plan = await runCli(['plan', '--offline', '--format', 'markdown', '--rehearsal', saved], { cwd: EXAMPLE_DIR });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('### Rehearsal ✅');
    expect(plan.stdout).toMatch(/\| 20261123120000_rename_users_email contract \| \d+ ms \| +\| — \| ✅ \|/);
    expect(plan.stdout).toMatch(/\| 20261123120000_rename_users_email backfill \| \d+ ms \| +\| ✅ \| ✅ \|/);
    const json = await runCli(['plan', '--offline', '--format', 'json', '--rehearsal', saved], { cwd: EXAMPLE_DIR });
    expect((JSON.parse(json.stdout) as { rehearsal: { ok: boolean } }).rehearsal.ok).toBe(true);
  });

  it('reports zero traffic errors for the fixed order and the failing inserts under traffic for the broken one', async () => {
    const good = await runCli(exampleArgs(admin, '--json', '--traffic', '2'), { cwd: EXAMPLE_DIR });
    expect(good.code, good.stderr).toBe(0);
    const ok = JSON.parse(good.stdout) as JsonReport;
    const runs = ok.steps.flatMap((s) => Object.values(s.traffic));
    expect(runs.reduce((n, t) => n + t.queries, 0)).toBeGreaterThan(10);
    expect(runs.reduce((n, t) => n + t.errors, 0)).toBe(0);

    const dir = await copyExample();
    await restoreBrokenContractOrder(dir);
    const bad = await runCli(exampleArgs(admin, '--json', '--traffic', '2'), { cwd: dir });
    expect(bad.code, bad.stderr).toBe(1);
    const broken = JSON.parse(bad.stdout) as JsonReport;
    const traffic = broken.failures.filter((f) => f.source === 'traffic');
    expect(traffic.length).toBeGreaterThan(0);
    expect(traffic.every((f) => f.app === 'new' && f.phase === 'contract' && /null value in column "email"/.test(f.error))).toBe(true);
  });

  it('rehearses on an embedded PostgreSQL when no --scratch-url is given', async () => {
    const result = await runCli(['rehearse', '--json'], { cwd: EXAMPLE_DIR });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as JsonReport & { serverVersion: string };
    expect(report.ok).toBe(true);
    expect(report.serverVersion).toMatch(/^18\./);
  }, 120_000);
});
