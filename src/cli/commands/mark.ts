import type { Command } from 'commander';
import { PhasegateError } from '../../errors.js';
import { checkMarker, recordMarker, type MarkerInput } from '../../execute/index.js';
import { resolveConfig, withConnection, type GlobalFlags } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson, printLines } from '../output.js';

export function markCommand(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('mark')
    .argument('[name]', 'a named deploy marker, e.g. api-reads-email-address')
    .description('record a deploy marker, or the version of an app that was deployed')
    .option('--app <app>', 'the app that was deployed')
    .option('--version <semver>', 'its version')
    .option('--by <who>', 'who or what recorded it (e.g. the pipeline run)')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText('after', '\nExamples:\n  migrate mark api-reads-email-address\n  migrate mark --app api --version 2.4.0 --by "deploy #812"')
    .action(async (name: string | undefined, opts: { app?: string; version?: string; by?: string; json?: boolean }, command: Command) => {
      const marker = markerFrom(name, opts);
      // Refused before connecting, so a bad name is exit 2 even when the database is down.
      checkMarker(marker, opts.by ?? null);
      const config = await resolveConfig(command.optsWithGlobals<GlobalFlags>());
      await withConnection(config, (client) => recordMarker(client, config.schema, marker, opts.by ?? null));
      if (opts.json === true) printJson({ recorded: marker, exitCode: EXIT.ok });
      else printLines(marker.kind === 'marker' ? `recorded marker ${marker.name}` : `recorded deploy ${marker.app} ${marker.version}`);
      setExit(EXIT.ok);
    });
}

function markerFrom(name: string | undefined, opts: { app?: string; version?: string }): MarkerInput {
  const hasApp = opts.app !== undefined || opts.version !== undefined;
  if (name !== undefined && !hasApp) return { kind: 'marker', name };
  if (name === undefined && opts.app !== undefined && opts.version !== undefined) return { kind: 'deploy', app: opts.app, version: opts.version };
  throw new PhasegateError('USAGE', 'mark needs either a marker name, or --app and --version (not both)', {
    hint: 'migrate mark api-reads-email-address   or   migrate mark --app api --version 2.4.0',
  });
}
