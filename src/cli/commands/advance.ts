import type { Command } from 'commander';
import { PhasegateError } from '../../errors.js';
import { advance, policyFromConfig, type AdvanceResult, type UnitTarget } from '../../execute/index.js';
import { isPhase, parseDuration } from '../../plan/index.js';
import { createLogger, heartbeatFor, resolveConfig, withMigrations, type GlobalFlags } from '../context.js';
import { EXIT, EXIT_FOR_STOP, type ExitCode } from '../exit-codes.js';
import { forTerminalLines, printJson, printLines } from '../output.js';
import { createProgressReporter } from '../progress.js';

interface AdvanceFlags {
  readonly to?: string;
  readonly dryRun?: boolean;
  readonly timeBudget?: string;
  readonly wait?: string;
  readonly json?: boolean;
  readonly strictOrder?: boolean;
}

export function advanceCommand(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('advance')
    .description('run every pending phase whose gate holds, in (phase, migration) order; stop at the first closed gate')
    .option('--to <id[:phase]>', 'go no further than this migration (and phase)')
    .option('--dry-run', 'show what would run and where it would stop; change nothing')
    .option('--time-budget <duration>', 'stop a backfill after the batch in flight once this is spent (e.g. 10m)')
    .option('--wait <duration>', 'wait this long for another runner to finish instead of exiting 5')
    .option('--strict-order', 'refuse (exit 2) a new migration ordered before migrations that are done')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  migrate advance\n  migrate advance --dry-run\n  migrate advance --to 20261123120000_rename_users_email:backfill --time-budget 10m --json',
    )
    .action(async (flags: AdvanceFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalFlags>();
      const to = parseTarget(flags.to);
      const timeBudgetMs = optionalDuration('--time-budget', flags.timeBudget);
      const waitMs = optionalDuration('--wait', flags.wait);
      const config = await resolveConfig(globals);
      const logger = await createLogger(globals);
      const controller = new AbortController();
      const stop = (signal: NodeJS.Signals): void => {
        logger.warn({ signal }, 'stopping after the batch or step in flight');
        controller.abort();
      };
      process.once('SIGINT', stop).once('SIGTERM', stop);
      const progress = createProgressReporter(logger);
      try {
        const result = await withMigrations(config, (migrations, client) =>
          advance({
            db: client,
            schema: config.schema,
            migrations,
            policy: policyFromConfig(config),
            logger,
            to,
            dryRun: flags.dryRun === true,
            waitMs,
            heartbeat: heartbeatFor(config),
            timeBudgetMs,
            strictOrder: flags.strictOrder === true,
            signal: controller.signal,
            onProgress: progress.update,
          }),
        );
        progress.stop();
        const exitCode = result.stoppedAt === null ? EXIT.ok : EXIT_FOR_STOP[result.stoppedAt.reason];
        if (flags.json === true) printJson({ ...toJson(result), exitCode });
        else printLines(...formatAdvance(result, exitCode));
        setExit(exitCode);
      } finally {
        progress.stop();
        process.off('SIGINT', stop).off('SIGTERM', stop);
      }
    });
}

function parseTarget(text: string | undefined): UnitTarget | undefined {
  if (text === undefined) return undefined;
  const [migrationId = '', phase] = text.split(':');
  if (phase !== undefined && !isPhase(phase)) {
    throw new PhasegateError('USAGE', `--to ${text}: "${phase}" is not a phase`, {
      hint: 'phases are expand, dualWrite, backfill, contract, drop',
    });
  }
  return { migrationId, phase };
}

function optionalDuration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) throw new PhasegateError('USAGE', `${flag} ${text}: not a duration`, { hint: 'use e.g. 30s, 10m, 1h' });
  return ms;
}

function toJson(result: AdvanceResult): object {
  const { stoppedAt } = result;
  return {
    dryRun: result.dryRun,
    ran: result.ran,
    outOfOrder: result.outOfOrder,
    missingFiles: result.missingFiles,
    stoppedAt:
      stoppedAt === null
        ? null
        : {
            migration: stoppedAt.migration,
            phase: stoppedAt.phase,
            reason: stoppedAt.reason,
            detail: stoppedAt.detail,
            ...(stoppedAt.error === undefined ? {} : { code: stoppedAt.error.code, hint: stoppedAt.error.hint ?? null }),
          },
  };
}

function formatAdvance(result: AdvanceResult, exitCode: ExitCode): string[] {
  const verb = result.dryRun ? 'would run' : 'ran';
  const lines = result.ran.flatMap((u) => [
    `${verb} ${u.migration} ${u.phase}${u.durationMs === undefined ? '' : ` (${u.durationMs} ms)`}`,
    ...(u.sql ?? []).map((sql) => `    ${sql.replaceAll('\n', '\n    ')}`),
  ]);
  if (result.ran.length === 0) lines.push(`nothing ${result.dryRun ? 'would run' : 'ran'}`);
  for (const id of result.outOfOrder) lines.push(`warning: ${id} is new but ordered before migrations that are done; it runs out of order (--strict-order refuses this)`);
  for (const id of result.missingFiles) lines.push(`note: ${id} is recorded in state but its file is gone (finished; \`migrate forget ${id}\` drops its records)`);
  const s = result.stoppedAt;
  if (s === null) lines.push(`done: nothing runnable is pending (exit ${exitCode})`);
  else {
    const where = s.migration === null ? '' : ` at ${s.migration} ${s.phase}`;
    lines.push(`stopped${where}: ${s.reason}: ${forTerminalLines(s.detail)} (exit ${exitCode})`);
    if (s.error?.hint !== undefined) lines.push(`hint: ${forTerminalLines(s.error.hint)}`);
  }
  return lines;
}
