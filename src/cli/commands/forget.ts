import type { Command } from 'commander';
import { forget } from '../../execute/index.js';
import { resolveConfig, withMigrations, type GlobalFlags } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson, printLines } from '../output.js';

/** `migrate forget <id>`: drops the records of a finished migration whose file was deleted. */
export function forgetCommand(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('forget')
    .argument('<id>', 'migration id')
    .description('drop the state records of a done or fully rolled-back migration whose file was deleted (its events stay)')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText('after', '\nExamples:\n  migrate forget 20261123120000_rename_users_email')
    .action(async (id: string, opts: { json?: boolean }, command: Command) => {
      const config = await resolveConfig(command.optsWithGlobals<GlobalFlags>());
      const result = await withMigrations(config, (migrations, client) => forget(client, config.schema, id, migrations));
      const exitCode = result.kind === 'locked' ? EXIT.locked : EXIT.ok;
      if (opts.json === true) printJson({ ...result, exitCode });
      else if (result.kind === 'locked') printLines('another runner holds the lock; nothing was forgotten (exit 5)');
      else printLines(`forgot ${result.migration}: its records are gone from the state store`);
      setExit(exitCode);
    });
}
