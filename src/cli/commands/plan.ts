import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { Session } from '../../pg/index.js';
import { PhasegateError } from '../../errors.js';
import { assertNotEdited } from '../../execute/index.js';
import type { Config } from '../../load/index.js';
import {
  PLAN_FORMATS,
  preparePlanReport,
  renderHtml,
  renderJson,
  renderMarkdown,
  renderText,
  type PlanDatabase,
  type PlanFormat,
  type PlanReport,
} from '../../report/index.js';
import { parseRehearsalReport, renderUnitSummaryMarkdown, renderUnitSummaryText } from '../../rehearse/index.js';
import { connect, resolveConfig, resolveMigrations, type GlobalFlags } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { color, printError } from '../output.js';
import { redactSecrets } from '../../secrets.js';

/** Without a server to ask, judge as the oldest PostgreSQL still supported (as `lint` does). */
const OFFLINE_PG_VERSION = 14;

interface PlanFlags {
  readonly all?: boolean;
  readonly format?: string;
  readonly output?: string;
  readonly offline?: boolean;
  readonly pgVersion?: string;
  readonly rehearsal?: string;
}

const isFormat = (value: string): value is PlanFormat => (PLAN_FORMATS as readonly string[]).includes(value);

export function planCommand(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('plan')
    .argument('[ids...]', 'describe these migrations (every phase); default: the units not done yet')
    .description('describe what advance would run: locks, rewrites, sizes, backfill estimates, gates, EXPLAINs; exit 2 when a started migration was edited')
    .option('--all', 'every unit, done or not')
    .option('--format <format>', `${PLAN_FORMATS.join('|')}`, 'text')
    .option('--output <file>', 'write the report to a file instead of stdout')
    .option('--offline', 'do not connect, even when a database URL is configured')
    .option('--rehearsal <file>', 'add the measured durations and app matrix of a saved rehearsal (migrate rehearse --save)')
    .option('--pg-version <major>', `PostgreSQL major version to assume offline (default ${OFFLINE_PG_VERSION})`)
    .addHelpText(
      'after',
      '\nExamples:\n  migrate plan\n  migrate plan --format markdown --output plan.md\n  migrate plan 20261123120000_rename_users_email --format html --output plan.html',
    )
    .action(async (ids: string[], flags: PlanFlags, command: Command) => {
      const format = flags.format ?? 'text';
      if (!isFormat(format)) {
        throw new PhasegateError('USAGE', `--format ${format}: not a report format`, { hint: `use one of ${PLAN_FORMATS.join(', ')}` });
      }
      const assumed = flags.pgVersion === undefined ? OFFLINE_PG_VERSION : Number(flags.pgVersion);
      if (!Number.isInteger(assumed) || assumed < 9) {
        throw new PhasegateError('USAGE', `--pg-version ${flags.pgVersion ?? ''}: expected a major version such as 15`, { hint: 'e.g. --pg-version 15' });
      }
      const config = await resolveConfig(command.optsWithGlobals<GlobalFlags>());
      const migrations = await resolveMigrations(config);
      const { database, client } = await openDatabase(config, flags.offline === true);
      let report: PlanReport;
      try {
        if (client !== undefined) await assertNotEdited(client, config.schema, migrations);
        report = await preparePlanReport({
          migrations,
          ids,
          all: flags.all === true,
          settings: {
            timeouts: config.timeouts,
            nonTransactionalTimeouts: config.nonTransactionalTimeouts,
            lockRetries: config.lockRetries,
            backfill: {
              batchSize: config.backfillBatchSize,
              tuning: config.backfill,
              statementTimeoutMs: config.timeouts.statementTimeoutMs,
              lockTimeoutMs: config.timeouts.lockTimeoutMs,
            },
          },
          database,
          assumedPgVersion: assumed,
          now: new Date(),
        });
      } finally {
        await client?.end().catch(() => undefined);
      }
      const toFile = flags.output !== undefined;
      const text = redactSecrets(withRehearsal(render(report, format, !toFile), format, flags.rehearsal === undefined ? undefined : { file: flags.rehearsal, text: await readRehearsal(flags.rehearsal) }));
      if (flags.output === undefined) process.stdout.write(text);
      else {
        await writeFile(flags.output, text);
        printError(`wrote the ${format} plan of ${report.units.length} unit${report.units.length === 1 ? '' : 's'} to ${path.resolve(flags.output)}`);
      }
      setExit(EXIT.ok);
    });
}

/**
 * A plan is most useful where no database is reachable (a pull request's CI
 * job), so a missing URL or a failed connection makes an offline report, not
 * an error; stderr says why.
 */
async function openDatabase(config: Config, offline: boolean): Promise<{ database: PlanDatabase; client: Session | undefined }> {
  if (offline) return { database: { kind: 'offline', reason: '--offline' }, client: undefined };
  if (config.databaseUrl === undefined) {
    return { database: { kind: 'offline', reason: 'no database URL configured' }, client: undefined };
  }
  try {
    const client = await connect(config);
    return { database: { kind: 'online', db: client, schema: config.schema }, client };
  } catch (error) {
    const reason = error instanceof PhasegateError ? error.message : String(error);
    printError(`warning: ${reason}; the plan is made offline`);
    return { database: { kind: 'offline', reason }, client: undefined };
  }
}

function render(report: PlanReport, format: PlanFormat, toTerminal: boolean): string {
  switch (format) {
    case 'text':
      return renderText(report, toTerminal ? { style: color } : {});
    case 'markdown':
      return renderMarkdown(report);
    case 'json':
      return renderJson(report);
    case 'html':
      return renderHtml(report);
  }
}

async function readRehearsal(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new PhasegateError('USAGE', `--rehearsal ${file} cannot be read: ${(error as Error).message}`, { hint: 'run `migrate rehearse --save FILE.json` first', cause: error });
  }
}

/** A saved rehearsal beside the plan: measured time and the app matrix per unit. */
function withRehearsal(rendered: string, format: PlanFormat, saved: { file: string; text: string } | undefined): string {
  if (saved === undefined) return rendered;
  const rehearsal = parseRehearsalReport(saved.text, saved.file);
  switch (format) {
    case 'text':
      return `${rendered}\n${renderUnitSummaryText(rehearsal, saved.file)}`;
    case 'markdown':
      return `${rendered}\n${renderUnitSummaryMarkdown(rehearsal, saved.file)}`;
    case 'json':
      return `${JSON.stringify({ ...(JSON.parse(rendered) as object), rehearsal }, null, 2)}\n`;
    case 'html': {
      const section = `<section><pre>${renderUnitSummaryText(rehearsal, saved.file).replace(/&/g, '&amp;').replace(/</g, '&lt;')}</pre></section>`;
      return rendered.includes('</body>') ? rendered.replace('</body>', `${section}</body>`) : `${rendered}${section}`;
    }
  }
}
