import type { AppResult, RehearsalFailure, RehearsalReport, StepReport } from './report-model.js';

const TEXT_MARK: Readonly<Record<AppResult, string>> = { works: 'works', broken: 'BROKEN', outside: '-' };
const MD_MARK: Readonly<Record<AppResult, string>> = { works: '✅ works', broken: '❌ broken', outside: '—' };

function oneLine(sql: string, max: number): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function sizeNote(step: StepReport): string {
  return step.sizes
    .map((s) => `${s.table} ${bytes(s.tableBytesBefore)}→${bytes(s.tableBytesAfter)}, indexes ${bytes(s.indexBytesBefore)}→${bytes(s.indexBytesAfter)}`)
    .join('; ');
}

function where(f: RehearsalFailure): string {
  if (f.migration === null) return 'before the first step';
  return `${f.source === 'traffic' ? 'during' : 'after'} ${f.migration} ${f.phase ?? ''} step ${f.step}`;
}

function headline(report: RehearsalReport): string {
  const traffic = report.trafficConnections > 0 ? `, traffic on ${report.trafficConnections} connection(s) per app` : '';
  return `rehearsal of ${report.migrations.join(', ') || 'nothing'} on PostgreSQL ${report.serverVersion}: ${(report.durationMs / 1000).toFixed(1)} s${traffic}`;
}

/** The rehearsal for a terminal or a CI log: the step × app matrix, gates, failures with advice. */
export function renderRehearsalText(report: RehearsalReport): string {
  const names = report.apps.map((a) => a.name);
  const lines = [headline(report), ''];
  const head = ['step'.padEnd(56), 'ms'.padStart(7), 'rows'.padStart(8), ...names.map((n) => n.padEnd(8)), 'lock ms'.padStart(8)];
  lines.push(head.join(' '));
  lines.push(['start'.padEnd(56), ''.padStart(7), ''.padStart(8), ...names.map((n) => TEXT_MARK[report.start[n] ?? 'outside'].padEnd(8))].join(' ').trimEnd());
  for (const s of report.steps) {
    const label = oneLine(`${s.migration} ${s.phase} ${s.step}: ${s.sql}`, 56).padEnd(56);
    const row = [label, String(s.durationMs).padStart(7), (s.rows === null ? '' : String(s.rows)).padStart(8), ...names.map((n) => TEXT_MARK[s.apps[n] ?? 'outside'].padEnd(8)), (s.longestLockWaitMs === null ? '' : String(s.longestLockWaitMs)).padStart(8)];
    lines.push(row.join(' ').trimEnd());
    const traffic = Object.entries(s.traffic).map(([app, t]) => `${app}: ${t.queries} runs, ${t.errors} errors, p50 ${t.p50Ms} ms, p99 ${t.p99Ms} ms, max ${t.maxMs} ms`);
    if (traffic.length > 0) lines.push(`    traffic ${traffic.join('; ')}`);
    if (s.sizes.length > 0) lines.push(`    size ${sizeNote(s)}`);
  }
  lines.push('', 'apps: ' + report.apps.map((a) => `${a.name} (${a.source}) must work from ${a.from === 'start' ? 'the start' : `the end of ${a.from}`} until ${a.until === 'end' ? 'the end' : `${a.until} begins`}`).join('; '));
  if (report.gates.length > 0) {
    lines.push('', 'gates (open in a rehearsal; a real advance waits here):');
    for (const g of report.gates) lines.push(`  ${g.migration} ${g.phase}: ${g.waitsFor}`);
  }
  if (report.stopped !== null) lines.push('', `stopped at ${report.stopped.migration ?? ''} ${report.stopped.phase ?? ''}: ${report.stopped.detail}`);
  if (report.failures.length > 0) {
    lines.push('', `${report.failures.length} broken expectation(s):`);
    for (const f of report.failures) {
      lines.push(`  ${f.app} broke ${where(f)}${f.count > 1 ? ` (${f.count} times)` : ''}`, `    statement: ${oneLine(f.statement, 100)}`, `    error: ${f.error}`, `    advice: ${f.advice}`);
    }
  }
  lines.push('', report.ok ? 'every app version worked at every step of its window' : 'the rehearsal found breaks: do not merge as is');
  return `${lines.join('\n')}\n`;
}

/** The rehearsal as a PR comment, to sit beside the plan report. */
export function renderRehearsalMarkdown(report: RehearsalReport): string {
  const names = report.apps.map((a) => a.name);
  const esc = (text: string): string => text.replace(/\|/g, '\\|');
  const lines = [`### ${report.ok ? '✅' : '❌'} Rehearsal`, '', headline(report), ''];
  lines.push(`| step | SQL | ms | rows | ${names.join(' | ')} | longest lock wait | slowest traffic run | size |`);
  lines.push(`| --- | --- | ---: | ---: | ${names.map(() => '---').join(' | ')} | ---: | ---: | --- |`);
  lines.push(`| start | | | | ${names.map((n) => MD_MARK[report.start[n] ?? 'outside']).join(' | ')} | | | |`);
  for (const s of report.steps) {
    const ms = (v: number | null): string => (v === null ? '' : `${v} ms`);
    lines.push(`| ${s.migration} ${s.phase} ${s.step} | \`${esc(oneLine(s.sql, 70))}\` | ${s.durationMs} | ${s.rows ?? ''} | ${names.map((n) => MD_MARK[s.apps[n] ?? 'outside']).join(' | ')} | ${ms(s.longestLockWaitMs)} | ${ms(s.longestTrafficWaitMs)} | ${esc(sizeNote(s))} |`);
  }
  if (report.gates.length > 0) {
    lines.push('', '**Gates** (open in a rehearsal; a real `advance` waits here):', '');
    for (const g of report.gates) lines.push(`- ${g.migration} ${g.phase}: ${g.waitsFor}`);
  }
  if (report.stopped !== null) lines.push('', `**Stopped** at ${report.stopped.migration ?? ''} ${report.stopped.phase ?? ''}: ${report.stopped.detail}`);
  if (report.failures.length > 0) {
    lines.push('', '**Breaks**', '');
    for (const f of report.failures) {
      lines.push(`- **${f.app}** broke ${where(f)}${f.count > 1 ? ` (${f.count} times)` : ''}: \`${esc(oneLine(f.statement, 100))}\``, `  - error: ${f.error}`, `  - advice: ${f.advice}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
