import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { Session } from '../../pg/index.js';
import { analyzeMigration, analyzeSqlFile, type Finding } from '../../analysis/index.js';
import { PhasegateError } from '../../errors.js';
import { analysisInputFor, analyzeAgainstDatabase, analyzeWithSizes, assertNotEdited, unknownNameProblems, unknownNamesError, readState } from '../../execute/index.js';
import { loadEachMigration, type MigrationLoad } from '../../load/index.js';
import { serverVersion } from '../../pg/index.js';
import { isPhase, unitName, type Migration, type Phase } from '../../plan/index.js';
import { StateStore } from '../../state/index.js';
import { connect, loadOptions, resolveConfig, type GlobalFlags } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { color, printError, printJson, printLines } from '../output.js';

/** When no server answers, judge as the oldest PostgreSQL still supported. */
const OFFLINE_PG_VERSION = 14;

interface LintFlags {
  readonly phase?: string;
  readonly pgVersion?: string;
  readonly json?: boolean;
}

type LintTarget = { readonly kind: 'migration' | 'sql'; readonly file: string };

/** A file that could not be linted (does not load or parse): reported, and the run ends with exit 2. */
interface Unreadable {
  readonly file: string;
  readonly code: string;
  readonly message: string;
}

const MIGRATION_FILE = /\.(?:ts|mts|js|mjs)$/;

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
        const pgVersion = pinnedVersion ?? (client === undefined ? OFFLINE_PG_VERSION : (await serverVersion(client)).major);
        const findings: Finding[] = [];
        const unreadable: Unreadable[] = [];
        const problems: string[] = [];
        const migrations: Migration[] = [];
        const done = client === undefined ? new Set<string>() : await doneUnits(client, config.schema);
        // Every migration file in one go: one loader for the whole tree.
        const loads = await loadEachMigration(
          targets.flatMap((t) => (t.kind === 'migration' ? [path.resolve(t.file)] : [])),
          { ...loadOptions(), defaults: config },
        );
        for (const target of targets) {
          // One broken file must not hide the findings of the others (CI lints a whole tree at once).
          try {
            const result = await lintTarget(target, { phase, pgVersion, client, done, loads });
            findings.push(...result.findings);
            problems.push(...result.problems);
            if (result.migration !== undefined) migrations.push(result.migration);
          } catch (error) {
            if (!(error instanceof PhasegateError) || !['INVALID_SQL', 'INVALID_MIGRATION'].includes(error.code)) throw error;
            unreadable.push({ file: target.file, code: error.code, message: error.message });
          }
        }
        // An edited started migration fails the pull-request check, before the deploy would.
        if (client !== undefined) await assertNotEdited(client, config.schema, migrations);
        if (problems.length > 0) throw unknownNamesError(problems);
        const errors = findings.filter((f) => f.severity === 'error').length;
        const exitCode = unreadable.length > 0 ? EXIT.badInput : errors > 0 ? EXIT.refused : EXIT.ok;
        if (flags.json === true) printJson({ findings, unreadable, online: client !== undefined, exitCode });
        else printLines(...formatFindings(findings, client !== undefined));
        // Messages about a migration's definition already start with its file.
        for (const u of unreadable) printError(u.message.startsWith(u.file) ? u.message : `${u.file}: ${u.message}`);
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
    if (info.isDirectory()) targets.push(...(await walk(p)));
    else targets.push({ kind: p.endsWith('.sql') ? 'sql' : 'migration', file: p });
  }
  return targets;
}

/** Migration and .sql files below `dir`, recursively, in path order; hidden folders and node_modules are skipped. */
async function walk(dir: string): Promise<LintTarget[]> {
  const out: LintTarget[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(file)));
    else if (entry.name.endsWith('.sql')) out.push({ kind: 'sql', file });
    else if (MIGRATION_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push({ kind: 'migration', file });
  }
  return out;
}

/** Units recorded done: their backfill tables may since have been renamed or dropped, which is no mistake. */
async function doneUnits(client: Session, schema: string): Promise<Set<string>> {
  const state = await readState(client, new StateStore(client, schema), schema);
  return new Set([...state.units].flatMap(([name, record]) => (record.state === 'done' ? [name] : [])));
}

/** What linting one file needs besides the file. */
interface LintContext {
  readonly phase: Phase;
  readonly pgVersion: number;
  readonly client: Session | undefined;
  /** Units recorded done (with a database). */
  readonly done: ReadonlySet<string>;
  /** Each migration target's load outcome, by absolute path. */
  readonly loads: ReadonlyMap<string, MigrationLoad>;
}

/** A file's findings, and (with a database) the unknown backfill tables of its pending units. */
async function lintTarget(
  target: LintTarget,
  { phase, pgVersion, client, done, loads }: LintContext,
): Promise<{ readonly findings: readonly Finding[]; readonly problems: readonly string[]; readonly migration?: Migration }> {
  if (target.kind === 'migration') {
    const load = loads.get(path.resolve(target.file));
    if (load?.kind !== 'loaded') throw new PhasegateError('INVALID_MIGRATION', load?.problems.join('\n') ?? `${target.file}: it was not loaded`);
    const migration = load.migration;
    if (client === undefined) return { findings: (await analyzeMigration(analysisInputFor(migration, pgVersion))).findings, problems: [] };
    const analysis = await analyzeAgainstDatabase(client, migration, pgVersion);
    return { findings: analysis.findings, problems: await unknownNameProblems(client, migration, analysis, (u) => !done.has(unitName(u))), migration };
  }
  const text = await readFile(target.file, 'utf8');
  const options = { phase, pgVersion, file: target.file };
  if (client === undefined) return { findings: (await analyzeSqlFile(text, options)).findings, problems: [] };
  return { findings: (await analyzeWithSizes(client, (facts) => analyzeSqlFile(text, { ...options, ...facts }))).findings, problems: [] };
}

function formatFindings(findings: readonly Finding[], online: boolean): string[] {
  const lines = findings.flatMap((f) => {
    const where = [f.file, f.migration === undefined ? undefined : `${f.phase}`, f.step === undefined ? undefined : `step ${f.step + 1}`, f.line === undefined ? undefined : `line ${f.line}`]
      .filter((x) => x !== undefined)
      .join(' ');
    const severity = f.severity === 'error' ? color.red('error') : f.severity === 'warning' ? color.yellow('warning') : color.dim('info');
    return [`${where}: ${severity} [${f.rule}] ${f.message}`, color.dim(`  hint: ${f.hint}`)];
  });
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  lines.push(`${errors} error(s), ${warnings} warning(s)${online ? '' : ' (offline: table sizes unknown)'}`);
  return lines;
}
