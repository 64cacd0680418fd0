import type { Command } from 'commander';
import { status, type MigrationStatus, type PhaseStatus, type RunnerStatus, type Status } from '../../execute/index.js';
import { formatDuration } from '../../plan/index.js';
import { resolveConfig, withMigrations, type GlobalFlags } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { formatBackfillLine } from '../backfill-line.js';
import { color, forTerminal, printJson, printLines } from '../output.js';

export function statusCommand(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('status')
    .description('every migration and the state of each of its phases')
    .option('--json', 'print one JSON document on stdout')
    .option('--exit-code', 'exit 2 when a started migration was edited or an unfinished one lost its file, else 3 when any phase is not done (for CI checks)')
    .addHelpText('after', '\nExamples:\n  migrate status\n  migrate status --json\n  migrate status --exit-code')
    .action(async (opts: { json?: boolean; exitCode?: boolean }, command: Command) => {
      const config = await resolveConfig(command.optsWithGlobals<GlobalFlags>());
      const result = await withMigrations(config, (migrations, client) => status(client, config.schema, migrations, config.backfill));
      const pending = result.migrations.some((m) => m.phases.some((p) => p.state !== 'done'));
      const broken = result.migrations.some((m) => m.edited.length > 0 || (m.fileMissing && m.phases.some((p) => p.state !== 'done' && p.state !== 'rolledBack')));
      const exitCode = opts.exitCode !== true ? EXIT.ok : broken ? EXIT.badInput : pending ? EXIT.waiting : EXIT.ok;
      if (opts.json === true) printJson({ ...result, exitCode });
      else printLines(...formatStatus(result));
      setExit(exitCode);
    });
}

const STATE_COLOR = { done: color.green, running: color.yellow, stopped: color.yellow, failed: color.red, rolledBack: color.dim, pending: color.dim } as const;

/** "  took 1.2s, 3/3 steps, 2 lock retries": how a phase that started went. */
function runFacts(p: PhaseStatus): string {
  if (p.state === 'pending') return '';
  const facts = [
    ...(p.durationMs === null ? [] : [`took ${formatDuration(p.durationMs)}`]),
    `${p.stepsDone}/${p.steps} steps`,
    ...(p.lockRetries === 0 ? [] : [color.yellow(`${p.lockRetries} lock ${p.lockRetries === 1 ? 'retry' : 'retries'}`)]),
    ...(p.attempts > 1 ? [`${p.attempts} runs`] : []),
  ];
  return `  ${facts.join(', ')}`;
}

/** Who holds the runner lock, whether it still beats, and how to end it when it is stuck. */
function formatRunner(r: RunnerStatus): string[] {
  const client = r.clientAddress === null ? 'local socket' : `client ${r.clientAddress}`;
  const head = `runner: pid ${r.pid} (application_name "${r.applicationName}", ${client}, connected ${r.connectedAt}) holds the lock, ${r.state}: ${r.query.replace(/\s+/g, ' ')}`;
  if (r.stalledSince === null) return [head, ...(r.lastBeatAt === null ? [] : [`  last heartbeat ${r.lastBeatAt}`])];
  return [head, color.red(`  stalled since ${r.stalledSince}: its runner stopped beating; if it is stuck, end it with SELECT pg_terminate_backend(${r.pid})`)];
}

function formatStatus(result: Status): string[] {
  if (result.migrations.length === 0) return ['no migrations found'];
  const runner = result.runner === null ? [] : formatRunner(result.runner);
  return [...runner, ...result.migrations.flatMap(formatMigration)];
}

function formatMigration(m: MigrationStatus): string[] {
  return [
    `${color.bold(m.id)}${m.description === null ? '' : `  ${m.description}`}${migrationNotes(m)}`,
    ...m.phases.map((p) => {
      const when = p.finishedAt ?? p.startedAt;
      const error = p.lastError === null ? '' : `  ${color.red(forTerminal(p.lastError.split('\n')[0] ?? ''))}`;
      const stalled = p.stalledSince === null ? '' : `  ${color.red(`stalled since ${p.stalledSince}`)}`;
      const line = `  ${p.phase.padEnd(10)} ${STATE_COLOR[p.state](p.state.padEnd(10))} ${when ?? ''}${runFacts(p)}${stalled}${error}`;
      return p.backfill === undefined || (p.state === 'pending' && p.backfill.batches === 0 && !p.backfill.paused)
        ? line
        : `${line}\n      ${formatBackfillLine(p.backfill)}`;
    }),
  ];
}

/** "  (file missing)", "  (edited after it started: expand)": what advance will say about a migration. */
function migrationNotes(m: MigrationStatus): string {
  const notes = [
    ...(m.fileMissing ? ['file missing'] : []),
    ...(m.outOfOrder ? ['new, ordered before done migrations'] : []),
    ...(m.edited.length > 0 ? [`edited after it started: ${m.edited.join(', ')}`] : []),
  ];
  return notes.length === 0 ? '' : `  ${color.yellow(`(${notes.join('; ')})`)}`;
}
