import { assertNever } from '../errors.js';
import { formatDuration } from '../plan/index.js';
import {
  formatBackfillEstimate,
  dedentSql,
  formatBatching,
  formatBytes,
  formatGate,
  formatLock,
  reportTitle,
  STATE_TEXT,
  summaryRows,
  unknownSizeText,
} from './format.js';
import { IMPACT_TEXT } from './lock-impact.js';
import type { ExplainReport, FindingReport, LockImpact, LockReport, PlanReport, StepReport, UnitReport } from './plan-report.js';

/** How text is coloured; every function is the identity when colour is off. */
export interface TextStyle {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly green: (text: string) => string;
}

const plain = (text: string): string => text;

/** No colour: for files, pipes and NO_COLOR. */
export const PLAIN_STYLE: TextStyle = { bold: plain, dim: plain, red: plain, yellow: plain, green: plain };

export interface TextOptions {
  /** @default PLAIN_STYLE */
  readonly style?: TextStyle;
  /** Lines are wrapped to this many columns. @default 100 */
  readonly width?: number;
}

/** The plan report for a terminal: plain lines, readable in 100 columns. */
export function renderText(report: PlanReport, options: TextOptions = {}): string {
  const style = options.style ?? PLAIN_STYLE;
  const width = options.width ?? 100;
  const out: string[] = [style.bold(reportTitle(report)), ''];
  out.push(style.bold('Summary'));
  for (const [label, value] of summaryRows(report)) out.push(...wrap(`${label.padEnd(17)}${value}`, width, 2, 19));
  if (report.database.kind === 'offline') {
    out.push('', style.yellow('Not known without a database:'));
    for (const item of report.database.unknown) out.push(...wrap(`- ${item}`, width, 2, 4));
  }
  if (report.units.length === 0) out.push('', 'Nothing to do: every unit is done.');
  for (const unit of report.units) out.push('', ...renderUnit(unit, style, width));
  if (report.relations.length > 0) {
    out.push('', style.bold('Relations'));
    for (const r of report.relations) out.push(...wrap(relationLine(r, unknownSizeText(report)), width, 2, 4));
  }
  return `${out.join('\n')}\n`;
}

function renderUnit(unit: UnitReport, style: TextStyle, width: number): string[] {
  const state = unit.state === 'failed' ? style.red(STATE_TEXT[unit.state]) : STATE_TEXT[unit.state];
  const out = [style.bold(`${unit.order}. ${unit.migrationId} · ${unit.phase}`) + ` · ${state}`];
  if (unit.description !== null) out.push(...wrap(unit.description, width, 3, 3));
  const gate = formatGate(unit.gate);
  out.push(...wrap(`gate      ${unit.gate.kind === 'gate' && unit.gate.status === 'waiting' ? style.yellow(gate) : gate}`, width, 3, 13));
  out.push(...wrap(`rollback  ${unit.rollback.possible ? 'yes' : 'no'}: ${unit.rollback.note}`, width, 3, 13));
  for (const step of unit.steps) out.push(...renderStep(step, style, width));
  return out;
}

function renderStep(step: StepReport, style: TextStyle, width: number): string[] {
  const head = `step ${step.index + 1}`;
  switch (step.kind) {
    case 'sql': {
      const tx = step.transactional ? 'in a transaction' : 'outside a transaction';
      const t = step.timeouts;
      const out = wrap(
        `${style.bold(head)}  sql, ${tx}, lock_timeout ${formatDuration(t.lockTimeoutMs)}, statement_timeout ${formatDuration(t.statementTimeoutMs)}, up to ${step.lockAttempts} attempts`,
        width, 3, 9,
      );
      out.push(...code(step.sql, width, 6));
      for (const s of step.statements) {
        const risks = [s.rewritesTable ? 'rewrites the table' : '', s.scansUnderStrongLock ? 'scans the table under a strong lock' : ''].filter((r) => r !== '');
        const locks = s.locks.length === 0 ? 'no table lock' : s.locks.map((l) => lockText(l, style)).join('; ');
        const prefix = step.statements.length > 1 ? `line ${s.line}: ` : '';
        out.push(...wrap(`${prefix}locks ${locks}${risks.length === 0 ? '' : `; ${style.red(risks.join(', '))}`}`, width, 6, 8));
      }
      out.push(...step.findings.flatMap((f) => findingLines(f, style, width)));
      return out;
    }
    case 'backfill': {
      const where = step.where === null ? '' : ` WHERE ${step.where}`;
      const out = wrap(`${style.bold(head)}  backfill ${step.table}: SET ${step.set}${where}`, width, 3, 9);
      out.push(
        ...wrap(
          `${formatBatching(step)}, statement_timeout ${formatDuration(step.statementTimeoutMs)}`,
          width, 6, 8,
        ),
        ...wrap(`pauses on ${step.throttles.join('; ')}`, width, 6, 8),
        ...wrap(`estimate ${formatBackfillEstimate(step.estimate, step.batchSize)}`, width, 6, 8),
        ...wrap(`locks ${step.locks.map((l) => lockText(l, style)).join('; ')} per batch`, width, 6, 8),
        ...explainLines('EXPLAIN of the first batch', step.explain, style, width),
      );
      return out;
    }
    case 'verify':
      return [
        ...wrap(`${style.bold(head)}  verify (must return 0), statement_timeout ${formatDuration(step.statementTimeoutMs)}`, width, 3, 9),
        ...code(step.query, width, 6),
        ...explainLines('EXPLAIN', step.explain, style, width),
      ];
    default:
      return assertNever(step);
  }
}

const IMPACT_STYLE: Readonly<Record<LockImpact, keyof TextStyle>> = {
  readsAndWrites: 'red',
  writes: 'yellow',
  ddl: 'dim',
  nothing: 'green',
};

function lockText(lock: LockReport, style: TextStyle): string {
  return `${style[IMPACT_STYLE[lock.blocks]](formatLock(lock))} (${IMPACT_TEXT[lock.blocks]})`;
}

function findingLines(f: FindingReport, style: TextStyle, width: number): string[] {
  const label = f.severity === 'error' ? style.red('error') : f.severity === 'warning' ? style.yellow('warning') : style.dim('info');
  return [...wrap(`${label} ${f.rule}: ${f.message}`, width, 6, 8), ...wrap(`hint: ${f.hint}`, width, 8, 14)];
}

function explainLines(title: string, explain: ExplainReport, style: TextStyle, width: number): string[] {
  if (explain.kind === 'unavailable') return wrap(`${title}: ${style.dim(explain.reason)}`, width, 6, 8);
  return [`      ${title}:`, ...code(explain.text, width, 8)];
}

function relationLine(r: PlanReport['relations'][number], unknown: string): string {
  const by = `locked by ${r.lockedBy.join(', ')}`;
  if (r.exists === null) return `${r.name}: ${unknown}; ${by}`;
  if (!r.exists || r.totalBytes === null) return `${r.name}: does not exist yet; ${by}`;
  const rows = r.rowEstimate === null ? '' : `, ~${r.rowEstimate.toLocaleString('en-US')} rows`;
  return `${r.name}: ${formatBytes(r.totalBytes)} (table ${formatBytes(r.tableBytes ?? 0)}, indexes ${formatBytes(r.indexBytes ?? 0)})${rows}; ${by}`;
}

/** SQL or a plan: its own lines, re-indented; long lines wrap with a deeper indent. */
function code(text: string, width: number, indent: number): string[] {
  const lines = dedentSql(text).split('\n');
  return lines.flatMap((line) => wrap(line, width, indent, indent + 4));
}

/** Wraps at whitespace to `width` columns (colour codes do not count); a word longer than a line stays whole. */
function wrap(text: string, width: number, indent: number, hangingIndent: number): string[] {
  const lines: string[] = [];
  let current = ' '.repeat(indent);
  let visible = indent;
  let fresh = true;
  for (const token of text.split(/(\s+)/)) {
    if (token === '') continue;
    const isSpace = token.trim() === '';
    const w = visibleLength(token);
    if (!isSpace && !fresh && visible + w > width) {
      lines.push(current.trimEnd());
      current = ' '.repeat(hangingIndent);
      visible = hangingIndent;
    } else if (isSpace && visible === hangingIndent && !fresh && lines.length > 0) {
      continue;
    }
    current += token;
    visible += w;
    if (!isSpace) fresh = false;
  }
  lines.push(current.trimEnd());
  return lines;
}

function visibleLength(text: string): number {
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}
