import type { Command } from 'commander';
import { listMarkers } from '../../execute/index.js';
import { resolveConfig, withConnection, type GlobalFlags } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { forTerminal, printJson, printLines } from '../output.js';

export function markersCommand(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('markers')
    .description('list recorded deploy markers and app deploys, oldest first')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText('after', '\nExamples:\n  migrate markers\n  migrate markers --json')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const config = await resolveConfig(command.optsWithGlobals<GlobalFlags>());
      const markers = await withConnection(config, (client) => listMarkers(client, config.schema));
      if (opts.json === true) {
        printJson({ markers: markers.map((m) => ({ ...m, recordedAt: m.recordedAt.toISOString() })), exitCode: EXIT.ok });
      } else if (markers.length === 0) {
        printLines('no markers recorded');
      } else {
        printLines(
          ...markers.map((m) => {
            const what = m.kind === 'marker' ? `marker ${forTerminal(m.name ?? '')}` : `deploy ${forTerminal(m.app ?? '')} ${forTerminal(m.version ?? '')}`;
            return `${m.recordedAt.toISOString()}  ${what}${m.recordedBy === null ? '' : `  by ${forTerminal(m.recordedBy)}`}`;
          }),
        );
      }
      setExit(EXIT.ok);
    });
}
