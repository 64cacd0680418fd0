import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type pg from 'pg';
import { analyzeMigration, analyzeSqlFile, type Finding } from '../../analysis/index.js';
import { PhasegateError } from '../../errors.js';
import { analysisInputFor, analyzeAgainstDatabase, analyzeWithSizes, assertNotEdited, serverMajorVersion } from '../../execute/index.js';
import { loadMigrationFile, loadMigrations } from '../../load/index.js';
import { isPhase, type Migration, type Phase } from '../../plan/index.js';
import { connect, resolveConfig, type GlobalFlags } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { color, printJson, printLines } from '../output.js';

/** When no server answers, judge as the oldest PostgreSQL still supported. */
const OFFLINE_PG_VERSION = 14;

interface LintFlags {
  readonly phase?: string;
  readonly pgVersion?: string;
  readonly json?: boolean;
}

type LintTarget = { readonly kind: 'migration'; readonly migration: Migration } | { readonly kind: 'sql'; readonly file: string };

export function lintCommand(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('lint')
    .argument('[paths...]', 'migration files, directories or plain .sql files (default: the migrations directory)')
    .description('check migration SQL for locks, rewrites and coexistence breaks; exit 4 on any error finding, 2 when a started migration was edited')
    .option('--phase <phase>', 'phase of plain .sql files', 'expand')
    .option('--pg-version <major>', 'judge for this PostgreSQL major version (default: the server, else 14)')
    .option('--json', 'print {"findings":[...]} on stdout')
    .addHelpText('after', '\nExamples:\n  migrate lint\n  migrate lint migrations/20261123120000_rename_users_email.ts\n  migrate lint --phase contract --pg-version 15 schema-change.sql --json')
    .action(async (paths: string[], flags: LintFlags, command: Command) => {
      const phase = flags.phase ?? 'expand';
      if (!isPhase(phase)) throw new PhasegateError('USAGE', `--phase ${phase}: not a phase`, { hint: 'phases are expand, dualWrite, backfill, contract, drop' });
      const pinnedVersion = flags.pgVersion === undefined ? undefined : Number(flags.pgVersion);
      if (pinnedVersion !== undefined && !(Number.isInteger(pinnedVersion) && pinnedVersion >= 9)) {
        throw new PhasegateError('USAGE', `--pg-version ${flags.pgVersion}: expected a major version such as 15`, { hint: 'e.g. --pg-version 15' });
      }
      const config = await resolveConfig(command.optsWithGlobals<GlobalFlags>());
      const targets = await collectTargets(paths.length === 0 ? [config.migrationsDir] : paths);
      const client = config.databaseUrl === undefined ? undefined : await connect(config).catch(() => undefined);
      try {
        const migrations = targets.flatMap((t) => (t.kind === 'migration' ? [t.migration] : []));
        if (client !== undefined) await assertNotEdited(client, config.schema, migrations);
        const pgVersion = pinnedVersion ?? (client === undefined ? OFFLINE_PG_VERSION : await serverMajorVersion(client));
        const findings: Finding[] = [];
        for (const target of targets) findings.push(...(await lintTarget(target, phase, pgVersion, client)));
        const errors = findings.filter((f) => f.severity === 'error').length;
        const exitCode = errors > 0 ? EXIT.refused : EXIT.ok;
        if (flags.json === true) printJson({ findings, online: client !== undefined, exitCode });
        else printLines(...formatFindings(findings, client !== undefined));
        setExit(exitCode);
      } finally {
        await client?.end().catch(() => undefined);
      }
    });
}

async function collectTargets(paths: readonly string[]): Promise<LintTarget[]> {
  const targets: LintTarget[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => undefined);
    if (info === undefined) throw new PhasegateError('USAGE', `${p}: no such file or directory`, { hint: 'pass migration files, directories or .sql files' });
    if (info.isDirectory()) {
      targets.push(...(await loadMigrations(p)).map((migration): LintTarget => ({ kind: 'migration', migration })));
      const sqlFiles = (await readdir(p)).filter((n) => n.endsWith('.sql')).sort();
      targets.push(...sqlFiles.map((n): LintTarget => ({ kind: 'sql', file: path.join(p, n) })));
    } else if (p.endsWith('.sql')) {
      targets.push({ kind: 'sql', file: p });
    } else {
      targets.push({ kind: 'migration', migration: await loadMigrationFile(path.resolve(p)) });
    }
  }
  return targets;
}

async function lintTarget(target: LintTarget, phase: Phase, pgVersion: number, client: pg.Client | undefined): Promise<readonly Finding[]> {
  if (target.kind === 'migration') {
    if (client === undefined) return (await analyzeMigration(analysisInputFor(target.migration, pgVersion))).findings;
    return (await analyzeAgainstDatabase(client, target.migration, pgVersion)).findings;
  }
  const text = await readFile(target.file, 'utf8');
  const options = { phase, pgVersion, file: target.file };
  if (client === undefined) return (await analyzeSqlFile(text, options)).findings;
  return (await analyzeWithSizes(client, (tableSizes) => analyzeSqlFile(text, tableSizes === undefined ? options : { ...options, tableSizes }))).findings;
}

function formatFindings(findings: readonly Finding[], online: boolean): string[] {
  const lines = findings.flatMap((f) => {
    const where = [f.file, f.migration === undefined ? undefined : `${f.phase}`, f.step === undefined ? undefined : `step ${f.step + 1}`, f.line === undefined ? undefined : `line ${f.line}`]
      .filter((x) => x !== undefined)
      .join(' ');
    const severity = f.severity === 'error' ? color.red('error') : color.yellow('warning');
    return [`${where}: ${severity} [${f.rule}] ${f.message}`, color.dim(`  hint: ${f.hint}`)];
  });
  const errors = findings.filter((f) => f.severity === 'error').length;
  lines.push(`${errors} error(s), ${findings.length - errors} warning(s)${online ? '' : ' (offline: table sizes unknown)'}`);
  return lines;
}
