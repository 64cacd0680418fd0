import type { Logger } from 'pino';
import type { BackfillProgress } from '../backfill/index.js';
import { assertNever } from '../errors.js';
import { formatDuration } from '../plan/index.js';

export interface ProgressReporter {
  readonly update: (progress: BackfillProgress) => void;
  readonly stop: () => void;
}

const LOG_EVERY_MS = 5_000;

type Bar = { start(total: number, value: number, payload: object): void; update(value: number, payload: object): void; setTotal(total: number): void; stop(): void };

/** What the bar and the log say the backfill is doing besides moving: waiting and why, or verifying. */
function stateText(progress: BackfillProgress): string {
  switch (progress.activity.kind) {
    case 'waiting':
      return `waiting: ${progress.activity.reason}`;
    case 'verifying':
      return 'verifying';
    case 'running':
    case 'done':
      return `batch ${progress.batchSize} rows`;
    default:
      return assertNever(progress.activity);
  }
}

/**
 * Backfill progress: a bar when stderr is a terminal, otherwise a JSON log
 * line every few seconds with rows, rate and ETA (CI logs stay readable),
 * and at once whenever the backfill starts or stops waiting, with the reason.
 * At debug level every batch gets its line too (the ones in between at
 * debug), with its duration: what a DBA tuning batch sizes, or a benchmark,
 * reads without querying the state store while the backfill runs.
 */
export function createProgressReporter(logger: Logger): ProgressReporter {
  let bar: Bar | undefined;
  let starting = false;
  let lastLog = 0;
  let lastActivity: BackfillProgress['activity']['kind'] | undefined;
  const tty = process.stderr.isTTY === true;
  const everyBatch = logger.isLevelEnabled('debug');

  return {
    update(progress) {
      const now = performance.now();
      const total = Math.max(progress.estimatedRows, progress.rowsScanned);
      const payload = {
        rate: progress.rowsPerSecond === null ? '?' : Math.round(progress.rowsPerSecond),
        etaText: progress.etaMs === null ? '?' : formatDuration(progress.etaMs),
        state: stateText(progress),
      };
      if (tty) {
        if (bar === undefined && !starting) {
          starting = true;
          void import('cli-progress').then(({ default: cliProgress }) => {
            bar = new cliProgress.SingleBar(
              { stream: process.stderr, format: `backfill ${progress.table} [{bar}] {value}/{total} rows | {rate} rows/s | ETA {etaText} | {state}` },
              cliProgress.Presets.shades_classic,
            ) as unknown as Bar;
            bar.start(total, progress.rowsScanned, payload);
          });
        }
        bar?.setTotal(total);
        bar?.update(progress.rowsScanned, payload);
        return;
      }
      const changed = progress.activity.kind !== lastActivity;
      lastActivity = progress.activity.kind;
      const due = changed || now - lastLog >= LOG_EVERY_MS;
      if (!due && !everyBatch) return;
      if (due) lastLog = now;
      logger[due ? 'info' : 'debug'](
        {
          migration: progress.migrationId,
          table: progress.table,
          activity: progress.activity.kind,
          ...(progress.activity.kind === 'waiting' ? { throttle: progress.activity.throttle.kind, reason: progress.activity.reason } : {}),
          rowsDone: progress.rowsDone,
          rowsScanned: progress.rowsScanned,
          estimatedRows: total,
          batchSize: progress.batchSize,
          lastBatchMs: progress.lastBatchMs === null ? null : Math.round(progress.lastBatchMs * 10) / 10,
          rowsPerSecond: progress.rowsPerSecond === null ? null : Math.round(progress.rowsPerSecond),
          etaMs: progress.etaMs === null ? null : Math.round(progress.etaMs),
          pass: progress.pass,
        },
        progress.activity.kind === 'waiting' ? `backfill waiting: ${progress.activity.reason}` : `backfill ${progress.activity.kind === 'running' ? 'progress' : progress.activity.kind}`,
      );
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
