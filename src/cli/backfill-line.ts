import type { BackfillStatus } from '../execute/index.js';
import { formatDuration } from '../plan/index.js';
import { forTerminal } from './output.js';

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** One line about a backfill for `status`: rows, percentage, rate, ETA, and why it waits. */
export function formatBackfillLine(b: BackfillStatus): string {
  const parts = [`backfill ${b.table}: ${count(b.rowsScanned)}/${count(b.estimatedRows)} rows walked`];
  if (b.estimatedRows > 0 && b.finishedAt === null) parts[0] += ` (${Math.min(100, Math.floor((b.rowsScanned / b.estimatedRows) * 100))}%)`;
  parts.push(`${count(b.rowsDone)} updated`);
  if (b.pass > 1) parts.push(`pass ${b.pass}`);
  if (b.finishedAt !== null) return [...parts, 'finished'].join(', ');
  if (b.stoppedSince !== null) return [...parts, `stopped between runs since ${b.stoppedSince}: run advance to continue`].join(', ');
  if (b.rowsPerSecond !== null) parts.push(`${count(b.rowsPerSecond)} rows/s`);
  if (b.etaMs !== null) parts.push(`ETA ${formatDuration(b.etaMs)}`);
  if (b.batchSize !== null) parts.push(`batch ${count(b.batchSize)} rows`);
  if (b.paused) parts.push(`PAUSED${b.pausedBy === null ? '' : ` by ${forTerminal(b.pausedBy)}`}`);
  if (b.throttle !== null && !b.throttle.startsWith('paused')) parts.push(`waiting: ${forTerminal(b.throttle)}`);
  return parts.join(', ');
}
