import type { Command } from 'commander';
import { PhasegateError } from '../../errors.js';
import { policyFromConfig, rollback } from '../../execute/index.js';
import { createLogger, resolveConfig, withMigrations, type GlobalFlags } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson, printLines } from '../output.js';

export function rollbackCommand(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('rollback')
    .argument('<id>', 'migration id')
    .description("undo a migration's completed phases in reverse with their down; refused once contract has run")
    .option('--json', 'print one JSON document on stdout')
    .addHelpText('after', '\nExamples:\n  migrate rollback 20261123120000_rename_users_email\n  migrate rollback 20261123120000_rename_users_email --json')
    .action(async (id: string, opts: { json?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalFlags>();
      const config = await resolveConfig(globals);
      const logger = await createLogger(globals);
      const result = await withMigrations(config, (migrations, client) => {
        const migration = migrations.find((m) => m.id === id);
        if (migration === undefined) throw new PhasegateError('USAGE', `no migration ${id}`, { hint: '`migrate status` lists migration ids' });
        return rollback({ db: client, schema: config.schema, migration, policy: policyFromConfig(config), logger });
      });
      const exitCode = result.kind === 'locked' ? EXIT.locked : EXIT.ok;
      if (opts.json === true) printJson({ ...result, exitCode });
      else if (result.kind === 'locked') printLines('another runner holds the lock; nothing was rolled back (exit 5)');
      else printLines(`rolled back ${result.migration}: ${result.phases.join(', ')}; advance stops there until \`migrate reapply ${result.migration}\``);
      setExit(exitCode);
    });
}
