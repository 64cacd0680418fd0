import { assertNever } from '../errors.js';
import { formatDuration } from '../plan/index.js';
import {
  dedentSql,
  formatBackfillEstimate,
  formatBatching,
  formatBytes,
  formatCount,
  formatGate,
  formatLock,
  reportTitle,
  STATE_TEXT,
  summaryRows,
  unknownSizeText,
} from './format.js';
import { IMPACT_TEXT } from './lock-impact.js';
import type { ExplainReport, FindingReport, LockImpact, LockReport, PlanReport, RelationReport, StepReport, UnitReport } from './plan-report.js';

export interface MarkdownOptions {
  /**
   * The report stays under this many characters: GitHub refuses comments
   * over 65,536, and the margin leaves room for a bot's own header.
   * @default 60000
   */
  readonly maxChars?: number;
  /** A code block longer than this is cut, saying so. @default 4000 */
  readonly maxBlockChars?: number;
}

const IMPACT_MARK: Readonly<Record<LockImpact, string>> = { readsAndWrites: '🔴', writes: '🟠', ddl: '🟡', nothing: '🟢' };
const IMPACTS: readonly LockImpact[] = ['readsAndWrites', 'writes', 'ddl', 'nothing'];

/**
 * The plan report as a pull-request comment: summary and tables first, SQL
 * and query plans in collapsed `<details>`. When the whole would be too long,
 * later units lose their details first, then the text is cut, each time with
 * a note saying what was left out.
 */
export function renderMarkdown(report: PlanReport, options: MarkdownOptions = {}): string {
  const maxChars = options.maxChars ?? 60_000;
  const blockChars = options.maxBlockChars ?? 4_000;
  const head = renderHead(report);
  const tail = renderRelations(report.relations, unknownSizeText(report));
  const full = report.units.map((u) => renderUnit(u, blockChars, true));
  const compact = report.units.map((u) => renderUnit(u, blockChars, false));
  const note = (from: number): string =>
    `\n> ✂️ SQL, findings detail and plans of units ${from}–${report.units.length} were left out to stay under ${formatCount(maxChars)} characters. ` +
    'Run `migrate plan --format markdown --output plan.md` (or `--format html`) for the whole report.\n';
  // The longest prefix of units that can keep their details while everything still fits.
  let detailed = full.length;
  const size = (n: number): number =>
    head.length + tail.length + full.slice(0, n).join('').length + compact.slice(n).join('').length + (n < full.length ? note(n + 1).length : 0);
  while (detailed > 0 && size(detailed) > maxChars) detailed -= 1;
  const body = [...full.slice(0, detailed), ...(detailed < full.length ? [note(detailed + 1)] : []), ...compact.slice(detailed)].join('');
  const text = `${head}${body}${tail}`;
  if (text.length <= maxChars) return text;
  const cut = `\n\n> ✂️ Cut at ${formatCount(maxChars)} characters: the plan has too many units for one comment. Run \`migrate plan --format markdown --output plan.md\` for all of it.\n`;
  return `${text.slice(0, maxChars - cut.length)}${cut}`;
}

function renderHead(report: PlanReport): string {
  const lines = [`## ${reportTitle(report)}`, '', '| summary | |', '| --- | --- |'];
  for (const [label, value] of summaryRows(report)) lines.push(`| **${label}** | ${cell(escapeText(value))} |`);
  lines.push('', `Lock badges: ${IMPACTS.map((i) => `${IMPACT_MARK[i]} ${IMPACT_TEXT[i]}`).join(' · ')}`);
  if (report.database.kind === 'offline') {
    lines.push('', '> [!NOTE]', '> Made without a database, so it does not know:');
    for (const item of report.database.unknown) lines.push(`> - ${item}`);
  }
  lines.push('');
  if (report.units.length === 0) return `${lines.join('\n')}\nNothing to do: every unit is done.\n`;
  lines.push('| # | migration | phase | state | gate | worst lock | findings | rollback |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const u of report.units) {
    const errors = u.findings.filter((f) => f.severity === 'error').length;
    const warnings = u.findings.filter((f) => f.severity === 'warning').length;
    lines.push(
      `| ${u.order} | \`${u.migrationId}\` | ${u.phase} | ${STATE_TEXT[u.state]} | ${cell(escapeText(gateCell(u)))} | ${u.worstLock === null ? 'none' : badge(u.worstLock)} | ${errors === 0 && warnings === 0 ? '✅' : `${errors > 0 ? `❌ ${errors}` : ''}${warnings > 0 ? ` ⚠️ ${warnings}` : ''}`.trim()} | ${u.rollback.possible ? 'yes' : 'no'} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function gateCell(u: UnitReport): string {
  if (u.gate.kind === 'none') return 'none';
  const mark = u.gate.status === 'holds' ? '✅' : u.gate.status === 'waiting' ? '⏳' : '❔';
  return `${mark} ${u.gate.text}`;
}

function renderUnit(unit: UnitReport, blockChars: number, detailed: boolean): string {
  const lines = ['', `### ${unit.order}. \`${unit.migrationId}\` · ${unit.phase}`, ''];
  if (unit.description !== null) lines.push(`${escapeText(unit.description)}`, '');
  lines.push(`- **state:** ${STATE_TEXT[unit.state]} · **file:** \`${unit.file}\``);
  lines.push(`- **gate:** ${escapeText(formatGate(unit.gate))}`);
  lines.push(`- **rollback:** ${unit.rollback.possible ? 'yes' : 'no'}, ${escapeText(unit.rollback.note)}`, '');
  lines.push('| step | what | locks | transaction | timeouts | risk |', '| --- | --- | --- | --- | --- | --- |');
  for (const step of unit.steps) lines.push(stepRow(step));
  const findings = unit.findings;
  if (findings.length > 0) {
    lines.push('');
    for (const f of findings) lines.push(findingLine(f, detailed));
  }
  if (detailed) for (const step of unit.steps) lines.push(...stepDetails(step, blockChars));
  return `${lines.join('\n')}\n`;
}

function stepRow(step: StepReport): string {
  const n = step.index + 1;
  switch (step.kind) {
    case 'sql': {
      const locks = step.statements.flatMap((s) => s.locks);
      const risks = [
        step.statements.some((s) => s.rewritesTable) ? 'rewrites table' : '',
        step.statements.some((s) => s.scansUnderStrongLock) ? 'full scan under strong lock' : '',
      ].filter((r) => r !== '');
      const t = step.timeouts;
      return `| ${n} | sql: \`${cell(firstLine(step.sql, 60))}\` | ${locks.length === 0 ? 'none' : locks.map(badge).join('<br>')} | ${step.transactional ? 'yes' : 'no'} | lock ${formatDuration(t.lockTimeoutMs)}, statement ${formatDuration(t.statementTimeoutMs)}, ${step.lockAttempts} attempts | ${risks.length === 0 ? '–' : `⚠️ ${risks.join(', ')}`} |`;
    }
    case 'backfill':
      return `| ${n} | backfill \`${cell(step.table)}\`: ${cell(formatBackfillEstimate(step.estimate, step.batchSize))} | ${step.locks.map(badge).join('<br>')} per batch | one per batch: ${cell(formatBatching(step))} | statement ${formatDuration(step.statementTimeoutMs)} | pauses on ${cell(escapeText(step.throttles.join('; ')))} |`;
    case 'verify':
      return `| ${n} | verify: \`${cell(firstLine(step.query, 60))}\` | none (read only) | yes, read only | statement ${formatDuration(step.statementTimeoutMs)} | – |`;
    default:
      return assertNever(step);
  }
}

function stepDetails(step: StepReport, blockChars: number): string[] {
  const n = step.index + 1;
  switch (step.kind) {
    case 'sql':
      return details(`step ${n}: SQL`, 'sql', dedentSql(step.sql), blockChars);
    case 'backfill':
      return [
        ...details(`step ${n}: backfill batch SQL`, 'sql', step.batchSql, blockChars),
        ...explainDetails(`step ${n}: EXPLAIN of the first batch`, step.explain, blockChars),
      ];
    case 'verify':
      return [...details(`step ${n}: verify query`, 'sql', dedentSql(step.query), blockChars), ...explainDetails(`step ${n}: EXPLAIN of verify`, step.explain, blockChars)];
    default:
      return assertNever(step);
  }
}

function explainDetails(title: string, explain: ExplainReport, blockChars: number): string[] {
  if (explain.kind === 'unavailable') return ['', `_${escapeText(title)}: ${escapeText(explain.reason)}_`];
  return details(title, '', explain.text, blockChars);
}

function details(summary: string, lang: string, body: string, blockChars: number): string[] {
  const trimmed = body.trim();
  const cut = trimmed.length > blockChars;
  const text = cut ? `${trimmed.slice(0, blockChars)}\n-- ✂️ ${formatCount(trimmed.length - blockChars)} more characters left out` : trimmed;
  // A fence longer than any backtick run inside keeps SQL with backticks intact.
  const fence = '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return ['', `<details><summary>${escapeHtml(summary)}</summary>`, '', `${fence}${lang}`, text, fence, '', '</details>'];
}

function findingLine(f: FindingReport, detailed: boolean): string {
  const where = f.step === null ? '' : ` (step ${f.step + 1}${f.line === null ? '' : `, line ${f.line}`})`;
  const mark = f.severity === 'error' ? '❌ **error**' : f.severity === 'warning' ? '⚠️ **warning**' : 'ℹ️ **info**';
  return `- ${mark} \`${f.rule}\`${where}: ${escapeText(f.message)}${detailed ? `<br>_hint:_ ${escapeText(f.hint)}` : ''}`;
}

function renderRelations(relations: readonly RelationReport[], unknown: string): string {
  if (relations.length === 0) return '';
  const lines = ['', '### Relations', '', '| relation | size | table | indexes | rows (estimate) | locked by |', '| --- | --- | --- | --- | --- | --- |'];
  for (const r of relations) {
    const by = r.lockedBy.map((u) => `\`${u}\``).join(', ');
    if (r.exists === null) lines.push(`| \`${r.name}\` | ${unknown} | | | | ${by} |`);
    else if (!r.exists || r.totalBytes === null) lines.push(`| \`${r.name}\` | does not exist yet | | | | ${by} |`);
    else {
      lines.push(
        `| \`${r.name}\` | ${formatBytes(r.totalBytes)} | ${formatBytes(r.tableBytes ?? 0)} | ${formatBytes(r.indexBytes ?? 0)} (${r.indexes.length}) | ${r.rowEstimate === null ? '' : formatCount(r.rowEstimate)} | ${by} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function badge(lock: LockReport): string {
  return `${IMPACT_MARK[lock.blocks]} \`${formatLock(lock)}\``;
}

function firstLine(text: string, max: number): string {
  const line = text.trim().split('\n')[0]?.trim() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line.length < text.trim().length ? `${line} …` : line;
}

/** Table cells: pipes and newlines would break the row. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function escapeText(text: string): string {
  return text.replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
