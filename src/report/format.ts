import { formatDuration } from '../plan/index.js';
import { HELD_TEXT, IMPACT_TEXT } from './lock-impact.js';
import type { BackfillEstimate, BackfillStepReport, GateReport, LockReport, PlanReport, UnitStateReport } from './plan-report.js';

/*
 * Wording shared by the text, markdown and HTML renderers, so every format
 * says the same thing in the same words.
 */

/** 1536 → "1.5 kB" (powers of 1024, as pg_size_pretty). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit] ?? ''}`;
}

/** 20000 → "20,000". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** "about 2m 5s"; durations are estimates wherever they appear. */
export function formatEstimate(ms: number): string {
  return `~${formatDuration(ms)}`;
}

/** "ACCESS EXCLUSIVE on users". */
export function formatLock(lock: LockReport): string {
  return `${lock.level} on ${lock.relation}, ${HELD_TEXT[lock.held]}`;
}

export function formatGate(gate: GateReport): string {
  if (gate.kind === 'none') return 'none';
  switch (gate.status) {
    case 'holds':
      return `${gate.text}: holds now`;
    case 'waiting':
      return `${gate.text}: waiting (${gate.missing ?? 'not met'})`;
    default:
      return `${gate.text}: unknown offline`;
  }
}

/** Where a unit stands, for people. */
export const STATE_TEXT: Readonly<Record<UnitStateReport, string>> = {
  pending: 'pending',
  running: 'running',
  done: 'done',
  failed: 'failed',
  rolledBack: 'rolled back',
  unknown: 'unknown',
};

/** One line about a backfill's size and time. */
export function formatBackfillEstimate(e: BackfillEstimate, batchSize: number): string {
  if (e.rows === null) return 'rows unknown (no database, or the table does not exist yet)';
  const done = e.rowsDone === null || e.rowsDone === 0 ? '' : `, ${formatCount(e.rowsDone)} done`;
  const rows = `~${formatCount(e.rows)} rows left${done} in ${formatCount(e.batches ?? Math.ceil(e.rows / batchSize))} batches`;
  if (e.durationMs === null || e.ratePerSecond === null) return `${rows}; duration unknown: no backfill rate recorded in this database yet`;
  const source = e.rateSource === 'recorded' ? 'its recorded rate' : 'the median rate of earlier backfills here';
  return `${rows}, ${formatEstimate(e.durationMs)} at ${formatCount(e.ratePerSecond)} rows/s (${source})`;
}

/** The title line of a report. */
export function reportTitle(report: PlanReport): string {
  const n = report.units.length;
  // Offline nobody knows which units ran, so "pending" would claim too much.
  const what =
    report.selection.kind === 'migrations' ? 'selected ' : report.selection.kind === 'all' || report.database.kind === 'offline' ? '' : 'pending ';
  return `phasegate plan: ${n} ${what}unit${n === 1 ? '' : 's'}`;
}

/** Where the facts came from. */
export function databaseLine(report: PlanReport): string {
  const d = report.database;
  return d.kind === 'online'
    ? `PostgreSQL ${d.serverVersion}${d.stateInstalled ? '' : ' (phasegate never ran here)'}`
    : `offline (${d.reason}); analysis assumed PostgreSQL ${d.pgVersion}`;
}

/** "1 error, 2 warnings". */
export function formatFindingCounts(errors: number, warnings: number): string {
  return `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
}

/** The summary as label/value pairs, in the order every format shows them. */
export function summaryRows(report: PlanReport): readonly (readonly [string, string])[] {
  const s = report.summary;
  const offline = report.database.kind === 'offline';
  const worst = s.worstLock;
  const biggest = s.biggestTable;
  return [
    ['database', databaseLine(report)],
    [
      'worst lock',
      worst === null
        ? 'none'
        : `${formatLock(worst)}: ${IMPACT_TEXT[worst.blocks]} (${worst.migrationId} ${worst.phase}, step ${worst.step + 1})`,
    ],
    [
      'biggest table',
      biggest === null
        ? offline ? 'unknown offline' : 'none of the touched tables exists yet'
        : `${biggest.name}: ${formatBytes(biggest.totalBytes)}${biggest.rowEstimate === null ? '' : `, ~${formatCount(biggest.rowEstimate)} rows`}`,
    ],
    ['findings', formatFindingCounts(s.errors, s.warnings)],
    ['rewrites / scans', `${s.rewrites} table rewrite${s.rewrites === 1 ? '' : 's'}, ${s.scansUnderStrongLock} full scan${s.scansUnderStrongLock === 1 ? '' : 's'} under a strong lock`],
    ['gates waiting', offline ? 'unknown offline' : String(s.gatesWaiting)],
    ['irreversible', `${s.irreversibleUnits} of ${s.units} unit${s.units === 1 ? '' : 's'} cannot be rolled back`],
    ['backfill time', s.backfillEstimateMs === null ? 'unknown' : s.backfillEstimateMs === 0 ? 'none' : formatEstimate(s.backfillEstimateMs)],
  ];
}

/** "batches of 500 rows, adapting to ~100ms (10–100,000 rows)". */
export function formatBatching(step: BackfillStepReport): string {
  const first = `batches of ${formatCount(step.batchSize)} rows`;
  return step.adaptive
    ? `${first} at first, adapting to ~${formatDuration(step.targetBatchMs)} each (${formatCount(step.minBatchSize)}–${formatCount(step.maxBatchSize)} rows)`
    : `${first} (fixed)`;
}

/** Why a relation's size is missing. */
export function unknownSizeText(report: PlanReport): string {
  return report.database.kind === 'offline' ? 'size unknown offline' : 'size unknown: its lock could not be had in time';
}

/**
 * SQL as written in a template literal: the first line starts at column 0,
 * the rest carry the source file's indentation. Strips that common indent.
 */
export function dedentSql(text: string): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  const rest = lines.slice(1).filter((l) => l.trim() !== '');
  const common = rest.length === 0 ? 0 : Math.min(...rest.map((l) => l.length - l.trimStart().length));
  return lines.map((l, i) => (i === 0 ? l.trim() : l.slice(Math.min(common, l.length - l.trimStart().length)).trimEnd())).join('\n');
}
