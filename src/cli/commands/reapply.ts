import type { Command } from 'commander';
import { reapply } from '../../execute/index.js';
import { resolveConfig, withConnection, type GlobalFlags } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson, printLines } from '../output.js';

/** `migrate reapply <id>`: lets advance run a rolled-back migration's phases again. */
export function reapplyCommand(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('reapply')
    .argument('<id>', 'migration id')
    .description('release the rolled-back phases of a migration: the next advance runs them again (the file may be edited first)')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText('after', '\nExamples:\n  migrate reapply 20261123120000_rename_users_email\n  migrate reapply 20261123120000_rename_users_email --json')
    .action(async (id: string, opts: { json?: boolean }, command: Command) => {
      const config = await resolveConfig(command.optsWithGlobals<GlobalFlags>());
      const result = await withConnection(config, (client) => reapply(client, config.schema, id));
      const exitCode = result.kind === 'locked' ? EXIT.locked : EXIT.ok;
      if (opts.json === true) printJson({ ...result, exitCode });
      else if (result.kind === 'locked') printLines('another runner holds the lock; nothing was released (exit 5)');
      else printLines(`released ${result.migration}: ${result.phases.join(', ')}; \`migrate advance\` runs them again`);
      setExit(exitCode);
    });
}
