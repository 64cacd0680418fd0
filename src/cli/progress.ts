import type { Logger } from 'pino';
import type { BackfillProgress } from '../backfill/index.js';
import { formatDuration } from '../plan/index.js';

export interface ProgressReporter {
  readonly update: (progress: BackfillProgress) => void;
  readonly stop: () => void;
}

const LOG_EVERY_MS = 5_000;

/**
 * Backfill progress: a bar when stderr is a terminal, otherwise a log line
 * every few seconds with rows done, rate and ETA (CI logs stay readable).
 */
export function createProgressReporter(logger: Logger): ProgressReporter {
  let bar: { update(value: number, payload: object): void; setTotal(total: number): void; stop(): void } | undefined;
  let starting = false;
  let started: { at: number; rows: number } | undefined;
  let lastLog = 0;
  const tty = process.stderr.isTTY === true;

  return {
    update(progress) {
      const now = performance.now();
      started ??= { at: now, rows: progress.rowsDone };
      const rate = ((progress.rowsDone - started.rows) / Math.max(now - started.at, 1)) * 1000;
      const total = Math.max(progress.estimatedRows, progress.rowsDone);
      const etaMs = rate > 0 ? ((total - progress.rowsDone) / rate) * 1000 : undefined;
      if (tty) {
        if (bar === undefined && !starting) {
          starting = true;
          void import('cli-progress').then(({ default: cliProgress }) => {
            bar = new cliProgress.SingleBar(
              { stream: process.stderr, format: `backfill ${progress.table} [{bar}] {value}/{total} rows | {rate} rows/s | ETA {etaText}` },
              cliProgress.Presets.shades_classic,
            );
            (bar as unknown as { start(total: number, value: number): void }).start(total, progress.rowsDone);
          });
        }
        bar?.setTotal(total);
        bar?.update(progress.rowsDone, { rate: Math.round(rate), etaText: etaMs === undefined ? '?' : formatDuration(etaMs) });
        return;
      }
      if (now - lastLog >= LOG_EVERY_MS) {
        lastLog = now;
        logger.info(
          { migration: progress.migrationId, table: progress.table, rowsDone: progress.rowsDone, estimatedRows: total, rowsPerSecond: Math.round(rate), etaMs: etaMs === undefined ? null : Math.round(etaMs) },
          'backfill progress',
        );
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
