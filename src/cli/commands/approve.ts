import type { Command } from 'commander';
import { PhasegateError } from '../../errors.js';
import { checkName, recordApproval } from '../../execute/index.js';
import { isPhase } from '../../plan/index.js';
import { resolveConfig, withMigrations, type GlobalFlags } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printLines } from '../output.js';

export function approveCommand(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('approve')
    .argument('<id>', 'migration id')
    .argument('<phase>', 'phase to approve')
    .requiredOption('--by <who>', 'who approves')
    .description('record a manual approval that opens an { approval: true } gate')
    .addHelpText('after', '\nExamples:\n  migrate approve 20261123120000_rename_users_email drop --by alice')
    .action(async (id: string, phase: string, opts: { by: string }, command: Command) => {
      if (!isPhase(phase)) {
        throw new PhasegateError('USAGE', `"${phase}" is not a phase`, { hint: 'phases are expand, dualWrite, backfill, contract, drop' });
      }
      checkName('--by', opts.by);
      const config = await resolveConfig(command.optsWithGlobals<GlobalFlags>());
      await withMigrations(config, (migrations, client) => recordApproval(client, config.schema, migrations, id, phase, opts.by));
      printLines(`approved ${id} ${phase} (by ${opts.by})`);
      setExit(EXIT.ok);
    });
}
