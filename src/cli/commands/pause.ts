import type { Command } from 'commander';
import { setBackfillPaused } from '../../execute/index.js';
import { resolveConfig, withMigrations, type GlobalFlags } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson, printLines } from '../output.js';

interface PauseFlags {
  readonly by?: string;
  readonly json?: boolean;
}

/** `migrate pause <id>` and `migrate resume <id>`: one flag in the state store, read by the runner after each batch. */
export function pauseOrResume(name: 'pause' | 'resume', paused: boolean) {
  return (program: Command, setExit: (code: ExitCode) => void): void => {
    program
      .command(name)
      .argument('<id>', 'migration id')
      .description(
        paused
          ? "pause a migration's backfill after its batch in flight; the runner waits (a time budget or signal still stops it)"
          : "resume a paused backfill; a waiting runner continues within a second, else the next advance does",
      )
      .option('--by <who>', 'who pauses or resumes, shown in status')
      .option('--json', 'print one JSON document on stdout')
      .addHelpText('after', `\nExamples:\n  migrate ${name} 20261123120000_rename_users_email\n  migrate ${name} 20261123120000_rename_users_email --by alice --json`)
      .action(async (id: string, opts: PauseFlags, command: Command) => {
        const config = await resolveConfig(command.optsWithGlobals<GlobalFlags>());
        await withMigrations(config, (migrations, client) => setBackfillPaused(client, config.schema, migrations, id, paused, opts.by ?? null));
        if (opts.json === true) printJson({ migration: id, paused, exitCode: EXIT.ok });
        else printLines(paused ? `paused the backfill of ${id}: it stops after the batch in flight; \`migrate resume ${id}\` continues it` : `resumed the backfill of ${id}`);
        setExit(EXIT.ok);
      });
  };
}

/** `migrate pause <id>`. */
export const pauseCommand = pauseOrResume('pause', true);
