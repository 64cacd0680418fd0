import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { locateInFile, SqlParseError, useParseMemo } from '../analysis/index.js';
import { PhasegateError } from '../errors.js';
import { advanceCommand } from './commands/advance.js';
import { approveCommand } from './commands/approve.js';
import { demoCommand } from './commands/demo.js';
import { forgetCommand } from './commands/forget.js';
import { initCommand } from './commands/init.js';
import { lintCommand } from './commands/lint.js';
import { logCommand } from './commands/log.js';
import { markCommand } from './commands/mark.js';
import { markersCommand } from './commands/markers.js';
import { newCommand } from './commands/new.js';
import { pauseCommand } from './commands/pause.js';
import { planCommand } from './commands/plan.js';
import { reapplyCommand } from './commands/reapply.js';
import { rehearseCommand } from './commands/rehearse.js';
import { resumeCommand } from './commands/resume.js';
import { rollbackCommand } from './commands/rollback.js';
import { statusCommand } from './commands/status.js';
import { EXIT, EXIT_CODES_HELP, EXIT_FOR_ERROR, type ExitCode } from './exit-codes.js';
import { forTerminalLines, printError, printJson } from './output.js';
import { diskParseMemo } from './parse-cache.js';
import { redactSecrets } from '../secrets.js';

/** Builds the `migrate` program. Each command's action resolves to its exit code. */
export function buildProgram(setExit: (code: ExitCode) => void): Command {
  const program = new Command('migrate')
    .description('phasegate: expand/contract migrations for PostgreSQL, gated on deploy markers')
    .option('--database-url <url>', 'PostgreSQL URL (else $DATABASE_URL, else the config file)')
    .option('--config <path>', 'config file (else phasegate.config.{ts,mts,js,json} found from the cwd up)')
    .option('--migrations-dir <dir>', 'migrations directory (else the config, else ./migrations)')
    .option('--schema <name>', 'schema holding phasegate state (default phasegate)')
    .option('--log-level <level>', 'trace|debug|info|warn|error|silent (default info)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
    .addHelpText('after', EXIT_CODES_HELP);
  const commands = [initCommand, newCommand, statusCommand, planCommand, logCommand, advanceCommand, lintCommand, markCommand, markersCommand, approveCommand, pauseCommand, resumeCommand, rollbackCommand, reapplyCommand, forgetCommand, rehearseCommand, demoCommand];
  for (const register of commands) register(program, setExit);
  return program;
}

/** Runs the CLI; resolves to the exit code instead of exiting, so tests can call it. */
export async function main(argv: readonly string[]): Promise<ExitCode> {
  useParseMemo(diskParseMemo());
  let exitCode: ExitCode = EXIT.ok;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    if (argv.length <= 2) {
      program.outputHelp({ error: true });
      return EXIT.badInput;
    }
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    return reportError(error, argv.includes('--json'));
  }
}

/**
 * A step that does not parse is located by the analysis within its SQL; the
 * person needs the line of the migration file, which only the CLI reads.
 */
function lineInMigrationFile(error: PhasegateError): string {
  if (!(error instanceof SqlParseError) || error.at === undefined || error.origin.step === undefined || error.origin.file === undefined) return '';
  let text: string;
  try {
    text = readFileSync(error.origin.file, 'utf8');
  } catch {
    return '';
  }
  const located = locateInFile(error.at.sql, error.at.position, text);
  return located.inFile ? `\n  at ${error.origin.file} line ${located.line}` : '';
}

function reportError(error: unknown, json: boolean): ExitCode {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  }
  if (error instanceof PhasegateError) {
    const exitCode = EXIT_FOR_ERROR[error.code];
    const message = `${error.message}${lineInMigrationFile(error)}`;
    if (json) printJson({ error: { code: error.code, message, hint: error.hint ?? null }, exitCode });
    printError(`error: ${forTerminalLines(message)}`);
    if (error.hint !== undefined) printError(`hint: ${forTerminalLines(error.hint)}`);
    return exitCode;
  }
  // Not a user mistake: a bug or an unexpected failure. Say so plainly.
  const message = redactSecrets(error instanceof Error ? error.message : String(error));
  if (json) printJson({ error: { code: 'INTERNAL', message, hint: null }, exitCode: EXIT.stepFailed });
  printError(`error: ${forTerminalLines(message)}`);
  if (process.env['PHASEGATE_DEBUG'] !== undefined && error instanceof Error) printError(redactSecrets(error.stack ?? ''));
  return EXIT.stepFailed;
}
