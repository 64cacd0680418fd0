import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import type { Phase } from '../../src/plan/index.js';
import { runCli, type CliResult } from '../support/cli.js';

/** A project as a user writes it for one operation: a schema, migration files and the two apps' checks. */
export interface OperationProject {
  /** SQL run on the scratch database before the migrations (tables and seed rows). */
  readonly schema: string;
  /** File name → source; sources import { defineMigration, ops } from 'phasegate'. */
  readonly migrations: Readonly<Record<string, string>>;
  /** The old app's check (SQL, `-- assert` lines allowed): must work until contract begins. */
  readonly oldApp: string;
  /** The new app's check: must work from the end of `newAppFrom` (default backfill) through drop. */
  readonly newApp: string;
  readonly newAppFrom?: 'expand' | 'dualWrite' | 'backfill';
  /** More checks with their own windows (`rehearse.apps`): file name under app/ → check SQL and window. */
  readonly apps?: readonly { readonly name: string; readonly check: string; readonly from: 'start' | Phase; readonly until: Phase | 'end' }[];
}

/** The parts of `migrate rehearse --json` the tests read. */
export interface RehearsalJson {
  readonly ok: boolean;
  readonly failures: readonly { app: string; migration: string; phase: string; step: number; statement: string; error: string; class: string }[];
  readonly steps: readonly {
    migration: string;
    phase: string;
    step: number;
    apps: Record<string, string>;
    traffic?: Record<string, { runs?: number; errors: number; queries?: number }>;
  }[];
}

export async function writeOperationProject(project: OperationProject): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'phasegate-ops-'));
  await mkdir(path.join(dir, 'migrations'));
  await mkdir(path.join(dir, 'app'));
  await writeFile(path.join(dir, 'schema.sql'), project.schema);
  await writeFile(path.join(dir, 'app', 'old.sql'), project.oldApp);
  await writeFile(path.join(dir, 'app', 'new.sql'), project.newApp);
  for (const [name, source] of Object.entries(project.migrations)) await writeFile(path.join(dir, 'migrations', name), source);
  for (const app of project.apps ?? []) await writeFile(path.join(dir, 'app', `${app.name}.sql`), app.check);
  const newAppFrom = project.newAppFrom === undefined ? '' : `, newAppFrom: '${project.newAppFrom}'`;
  const apps = (project.apps ?? []).map((a) => `{ name: '${a.name}', check: 'app/${a.name}.sql', from: '${a.from}', until: '${a.until}' }`);
  const appsSetting = apps.length === 0 ? '' : `, apps: [${apps.join(', ')}]`;
  await writeFile(
    path.join(dir, 'phasegate.config.ts'),
    `export default { migrationsDir: 'migrations', timeouts: { lockTimeout: '2s', statementTimeout: '30s' }, backfill: { batchSize: 200 },\n` +
      `  rehearse: { setup: ['schema.sql'], oldApp: 'app/old.sql', newApp: 'app/new.sql'${newAppFrom}${appsSetting} } };\n`,
  );
  return dir;
}

/**
 * Runs `migrate rehearse --json` on a scratch database of the test server
 * for a project; `extra` adds flags such as ['--traffic', '2'].
 */
export async function rehearseProject(project: OperationProject, extra: readonly string[] = []): Promise<{ result: CliResult; report: RehearsalJson; dir: string }> {
  const dir = await writeOperationProject(project);
  const result = await runCli(['rehearse', '--scratch-url', inject('adminUrl'), '--json', ...extra], { cwd: dir });
  let report: RehearsalJson;
  try {
    report = JSON.parse(result.stdout) as RehearsalJson;
  } catch {
    throw new Error(`rehearse printed no JSON report (exit ${result.code}):\n${result.stderr}\n${result.stdout}`);
  }
  return { result, report, dir };
}
