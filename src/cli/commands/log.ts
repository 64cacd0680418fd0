import type { Command } from 'commander';
import { PhasegateError } from '../../errors.js';
import { readEvents, type EventRecord } from '../../state/index.js';
import { resolveConfig, withConnection, type GlobalFlags } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { color, forTerminal, printJson, printLines } from '../output.js';

interface LogFlags {
  readonly json?: boolean;
  readonly migration?: string;
  readonly limit?: string;
}

export function logCommand(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('log')
    .description('the event log: units started/finished/failed, gates waited on, markers, approvals, rollbacks, backfill pauses and throttles')
    .option('--json', 'print one JSON document on stdout')
    .option('--migration <id>', "only this migration's events")
    .option('--limit <n>', 'only the newest n events')
    .addHelpText('after', '\nExamples:\n  migrate log\n  migrate log --migration 20261123120000_rename_users_email\n  migrate log --json --limit 50')
    .action(async (flags: LogFlags, command: Command) => {
      const limit = flags.limit === undefined ? undefined : Number(flags.limit);
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
        throw new PhasegateError('USAGE', `--limit ${flags.limit ?? ''}: expected a positive whole number`, { hint: 'e.g. --limit 50' });
      }
      const config = await resolveConfig(command.optsWithGlobals<GlobalFlags>());
      const events = await withConnection(config, (client) => readEvents(client, config.schema, { migrationId: flags.migration, limit }));
      if (flags.json === true) {
        printJson({
          events: events.map((e) => ({ id: e.id, at: e.at.toISOString(), kind: e.kind, migrationId: e.migrationId, phase: e.phase, detail: e.detail })),
          exitCode: EXIT.ok,
        });
      } else {
        printLines(...(events.length === 0 ? ['no events recorded'] : events.map(formatEvent)));
      }
      setExit(EXIT.ok);
    });
}

const KIND_COLOR: Readonly<Record<string, (text: string) => string>> = {
  unitFinished: color.green,
  unitFailed: color.red,
  gateWaiting: color.yellow,
  backfillWaiting: color.yellow,
  backfillPaused: color.yellow,
};

function formatEvent(e: EventRecord): string {
  const subject = e.migrationId === null ? '' : ` ${forTerminal(e.migrationId)}${e.phase === null ? '' : ` ${e.phase}`}`;
  const paint = KIND_COLOR[e.kind] ?? ((text: string) => text);
  const detail = forTerminal(describeDetail(e));
  return `${color.dim(e.at.toISOString())}  ${paint(e.kind.padEnd(16))}${subject}${detail === '' ? '' : `  ${detail}`}`;
}

/** The detail of the events the engine writes, in words; anything else as JSON. */
function describeDetail(e: EventRecord): string {
  const d = e.detail;
  const text = (key: string): string | undefined => (typeof d[key] === 'string' ? d[key] : undefined);
  switch (e.kind) {
    case 'unitFailed':
      return (text('error') ?? '').split('\n')[0] ?? '';
    case 'gateWaiting':
      return `waiting: ${text('missing') ?? ''}`;
    case 'markerRecorded':
      return text('name') !== undefined ? `marker "${text('name') ?? ''}"` : `deploy ${text('app') ?? ''} ${text('version') ?? ''}`;
    case 'approvalRecorded':
    case 'backfillPaused':
    case 'backfillResumed':
      return text('by') === undefined ? '' : `by ${text('by') ?? ''}`;
    case 'backfillWaiting':
      return `waiting: ${text('reason') ?? text('throttle') ?? ''}`;
    case 'backfillGoing':
      return 'going again';
    default:
      return Object.keys(d).length === 0 ? '' : JSON.stringify(d);
  }
}
