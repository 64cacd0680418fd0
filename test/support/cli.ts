import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/migrate.js', import.meta.url));

/** Environment for a CLI run in which these packages cannot be found, as in an install without them. */
export function withoutPackages(...names: readonly string[]): Record<string, string> {
  return { NODE_OPTIONS: `--import=${fileURLToPath(new URL('./hide-packages.mjs', import.meta.url))}`, PHASEGATE_TEST_HIDE: names.join(',') };
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns the real `migrate` executable (built dist/) and collects its output. */
export function startCli(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export function runCli(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  return startCli(args, options).done;
}

/** A temporary project directory with the given migration files. */
export async function makeProject(migrations: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'phasegate-cli-'));
  await mkdir(path.join(dir, 'migrations'));
  for (const [name, source] of Object.entries(migrations)) await writeFile(path.join(dir, 'migrations', name), source);
  return dir;
}

/** Source of a migration file as an engineer writes it. */
export function migrationSource(definition: object): string {
  return `import { defineMigration } from 'phasegate';\n\nexport default defineMigration(${JSON.stringify(definition, null, 2)});\n`;
}
