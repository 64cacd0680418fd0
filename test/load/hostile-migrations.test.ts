import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, migrationSource, runCli } from '../support/cli.js';

const ok = migrationSource({ expand: { sql: 'CREATE TABLE t (id int)' } });
/** A valid migration file with `statement` run at import. */
const withImport = (statement: string): string => ok.replace('\nexport default', `\n${statement}\nexport default`);

/** `migrate lint migrations` offline (no database), with a load time limit per file. */
async function lintProject(files: Record<string, string>, timeLimit = '10s'): Promise<{ code: number | null; stderr: string; ms: number }> {
  const dir = await makeProject(files);
  const started = performance.now();
  const result = await runCli(['lint', 'migrations'], { cwd: dir, env: { PHASEGATE_LOAD_TIMEOUT: timeLimit } });
  return { code: result.code, stderr: result.stderr, ms: performance.now() - started };
}

describe('loading a migration file that misbehaves at import', () => {
  it('exits 2 naming the file when it calls process.exit(0), and still reports the files after it', async () => {
    const result = await lintProject({ '001_exits.ts': withImport('process.exit(0);'), '002_throws.ts': withImport("throw new Error('no config here');") });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('migrations/001_exits.ts: cannot be loaded: it tries to end the process (exit(0))');
    expect(result.stderr).toContain('migrations/002_throws.ts: cannot be loaded: no config here');
  });

  it('exits 2 naming the file when its import never settles, instead of exiting 13 with no output', async () => {
    const result = await lintProject({ '001_never.ts': withImport('await new Promise(() => {});') });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/migrations\/001_never\.ts: cannot be loaded: .*never settles/);
  });

  it('exits 2 naming the file within the time limit when it loops forever at import', async () => {
    const result = await lintProject({ '001_ok.ts': ok, '002_loop.ts': withImport('while (Date.now() > 0) {}') }, '3s');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/migrations\/002_loop\.ts: cannot be loaded: it did not finish loading within 3 s/);
    expect(result.stderr).not.toContain('001_ok.ts');
    expect(result.ms).toBeLessThan(10_000);
  });

  it('exits 2 naming the file when it starts a timer at import, instead of keeping the process alive', async () => {
    const result = await lintProject({ '001_timer.ts': withImport('setInterval(() => undefined, 1000);') });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('migrations/001_timer.ts: cannot be loaded: it starts a timer at import');
  });
});

describe('migrate lint with relative paths, as a CI job calls it', () => {
  it('loads a directory given as "migrations" or "./migrations", a .ts file and a .sql file relative to the cwd', async () => {
    const dir = await makeProject({ '20260101000000_add_t.ts': ok });
    await writeFile(path.join(dir, 'migrations', 'extra.sql'), 'CREATE INDEX t_id_idx ON t (id);\n');
    const targets = ['migrations', './migrations', 'migrations/20260101000000_add_t.ts', './migrations/extra.sql'];
    const results = await Promise.all(targets.map((target) => runCli(['lint', target, '--json'], { cwd: dir })));
    for (const [i, result] of results.entries()) {
      const target = targets[i] ?? '';
      expect(result.stderr).not.toContain('Cannot find module');
      expect(result.code, `${target}: ${result.stderr}`).toBe(target.endsWith('add_t.ts') ? 0 : 4);
      const { findings } = JSON.parse(result.stdout) as { findings: { rule: string }[] };
      expect(findings.map((f) => f.rule)).toEqual(target.endsWith('add_t.ts') ? [] : ['non-concurrent-index']);
    }
  });
});
