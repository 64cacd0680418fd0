import { assertNever } from '../errors.js';
import { formatDuration } from '../plan/index.js';
import { dedentSql, formatBackfillEstimate, formatBatching, formatBytes, formatCount, formatGate, formatLock, reportTitle, STATE_TEXT, summaryRows, unknownSizeText } from './format.js';
import { escapeHtml, highlightSql } from './highlight-sql.js';
import { HTML_STYLE } from './html-style.js';
import { IMPACT_TEXT } from './lock-impact.js';
import type { ExplainReport, FindingReport, LockImpact, LockReport, PlanReport, RelationReport, StepReport, UnitReport } from './plan-report.js';

const IMPACTS: readonly LockImpact[] = ['readsAndWrites', 'writes', 'ddl', 'nothing'];

/**
 * The plan report as one self-contained HTML page: no scripts, no network,
 * styles inlined. Summary first, then one section per unit with its steps,
 * lock badges coloured by what they block, SQL and plans in monospace.
 */
export function renderHtml(report: PlanReport): string {
  const title = reportTitle(report);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>${HTML_STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">Generated ${escapeHtml(report.generatedAt)} · JSON schema version ${report.schemaVersion}</p>
</header>
${summarySection(report)}
${report.units.map(unitSection).join('\n')}
${relationsSection(report.relations, unknownSizeText(report))}
</body>
</html>
`;
}

function summarySection(report: PlanReport): string {
  const rows = summaryRows(report).map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`);
  const offline =
    report.database.kind === 'offline'
      ? `<div class="note"><strong>Made without a database.</strong> It does not know:<ul>${report.database.unknown.map((u) => `<li>${escapeHtml(u)}</li>`).join('')}</ul></div>`
      : '';
  const legend = IMPACTS.map((i) => `<span class="badge ${i}">${escapeHtml(IMPACT_TEXT[i])}</span>`).join(' ');
  const unitRows = report.units.map(
    (u) =>
      `<tr><td>${u.order}</td><td><a href="#unit-${u.order}"><code>${escapeHtml(u.migrationId)}</code></a></td><td>${u.phase}</td>` +
      `<td>${pill(STATE_TEXT[u.state], u.state)}</td><td>${gateCell(u)}</td><td>${u.worstLock === null ? 'none' : badge(u.worstLock)}</td>` +
      `<td>${findingCounts(u.findings)}</td><td>${pill(u.rollback.possible ? 'yes' : 'no', u.rollback.possible ? 'yes' : 'no')}</td></tr>`,
  );
  return `<section id="summary">
<h2>Summary</h2>
<table class="summary">${rows.join('')}</table>
${offline}
<p class="muted">Lock badges: ${legend}</p>
${report.units.length === 0 ? '<p>Nothing to do: every unit is done.</p>' : `<table class="units"><thead><tr><th>#</th><th>migration</th><th>phase</th><th>state</th><th>gate</th><th>worst lock</th><th>findings</th><th>rollback</th></tr></thead><tbody>${unitRows.join('')}</tbody></table>`}
</section>`;
}

function unitSection(unit: UnitReport): string {
  return `<section class="unit" id="unit-${unit.order}">
<h2>${unit.order}. <code>${escapeHtml(unit.migrationId)}</code> · ${unit.phase} ${pill(STATE_TEXT[unit.state], unit.state)}</h2>
${unit.description === null ? '' : `<p>${escapeHtml(unit.description)}</p>`}
<table>
<tr><th>file</th><td><code>${escapeHtml(unit.file)}</code></td></tr>
<tr><th>gate</th><td>${escapeHtml(formatGate(unit.gate))}</td></tr>
<tr><th>rollback</th><td>${pill(unit.rollback.possible ? 'yes' : 'no', unit.rollback.possible ? 'yes' : 'no')} ${escapeHtml(unit.rollback.note)}${unit.rollback.down.length === 0 ? '' : `<pre>${highlightSql(unit.rollback.down.join(';\n'))}</pre>`}</td></tr>
</table>
${unit.steps.map(stepBlock).join('\n')}
</section>`;
}

function stepBlock(step: StepReport): string {
  const head = `<h3>step ${step.index + 1}: ${step.kind}</h3>`;
  switch (step.kind) {
    case 'sql': {
      const t = step.timeouts;
      const facts = [
        step.transactional ? 'in a transaction' : 'outside a transaction',
        `lock_timeout ${formatDuration(t.lockTimeoutMs)}`,
        `statement_timeout ${formatDuration(t.statementTimeoutMs)}`,
        `up to ${step.lockAttempts} attempts on lock timeout`,
      ];
      const statements = step.statements.map((s) => {
        const risks = [s.rewritesTable ? 'rewrites the table' : '', s.scansUnderStrongLock ? 'scans the table under a strong lock' : ''].filter((r) => r !== '');
        return `<li>${step.statements.length > 1 ? `line ${s.line}: ` : ''}<code>${escapeHtml(s.kind)}</code> ${s.locks.length === 0 ? '<span class="muted">no table lock</span>' : s.locks.map(badge).join('')}${risks.map((r) => ` ${pill(r, 'error')}`).join('')}</li>`;
      });
      return `<div class="step">${head}<p class="muted">${escapeHtml(facts.join(' · '))}</p><pre>${highlightSql(dedentSql(step.sql))}</pre><ul>${statements.join('')}</ul>${step.findings.map(findingBlock).join('')}</div>`;
    }
    case 'backfill':
      return `<div class="step">${head}
<p><code>${escapeHtml(step.table)}</code>: SET <code>${escapeHtml(step.set)}</code>${step.where === null ? '' : ` WHERE <code>${escapeHtml(step.where)}</code>`}</p>
<p class="muted">${escapeHtml(`${formatBatching(step)} · statement_timeout ${formatDuration(step.statementTimeoutMs)} · pauses on ${step.throttles.join('; ')}`)}</p>
<p>${escapeHtml(formatBackfillEstimate(step.estimate, step.batchSize))}</p>
<p>per batch: ${step.locks.map(badge).join('')}</p>
<pre>${highlightSql(step.batchSql)}</pre>
${explainBlock('EXPLAIN of the first batch', step.explain)}</div>`;
    case 'verify':
      return `<div class="step">${head}<p class="muted">must return 0 · read only · statement_timeout ${formatDuration(step.statementTimeoutMs)}</p><pre>${highlightSql(dedentSql(step.query))}</pre>${explainBlock('EXPLAIN', step.explain)}</div>`;
    default:
      return assertNever(step);
  }
}

function explainBlock(title: string, explain: ExplainReport): string {
  return explain.kind === 'plan'
    ? `<h3>${escapeHtml(title)}</h3><pre class="plan">${escapeHtml(explain.text)}</pre>`
    : `<p class="muted">${escapeHtml(title)}: ${escapeHtml(explain.reason)}</p>`;
}

function findingBlock(f: FindingReport): string {
  return `<p class="finding">${pill(f.severity, f.severity)} <code>${escapeHtml(f.rule)}</code>${f.line === null ? '' : ` line ${f.line}`}: ${escapeHtml(f.message)}<br><span class="muted">hint: ${escapeHtml(f.hint)}</span></p>`;
}

function relationsSection(relations: readonly RelationReport[], unknown: string): string {
  if (relations.length === 0) return '';
  const rows = relations.map((r) => {
    const size =
      r.exists === null
        ? `<td colspan="4" class="muted">${escapeHtml(unknown)}</td>`
        : !r.exists || r.totalBytes === null
          ? '<td colspan="4" class="muted">does not exist yet</td>'
          : `<td>${formatBytes(r.totalBytes)}</td><td>${formatBytes(r.tableBytes ?? 0)}</td><td>${formatBytes(r.indexBytes ?? 0)}${r.indexes.length === 0 ? '' : `<br><span class="muted">${r.indexes.map((i) => `${escapeHtml(i.name)} ${formatBytes(i.bytes)}`).join('<br>')}</span>`}</td><td>${r.rowEstimate === null ? '' : formatCount(r.rowEstimate)}</td>`;
    return `<tr><td><code>${escapeHtml(r.name)}</code></td>${size}<td>${r.lockedBy.map((u) => `<code>${escapeHtml(u)}</code>`).join('<br>')}</td></tr>`;
  });
  return `<section id="relations"><h2>Relations</h2><table><thead><tr><th>relation</th><th>total</th><th>table</th><th>indexes</th><th>rows (estimate)</th><th>locked by</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function badge(lock: LockReport): string {
  return `<span class="badge ${lock.blocks}" title="${escapeHtml(IMPACT_TEXT[lock.blocks])}">${escapeHtml(formatLock(lock))}</span>`;
}

function pill(text: string, cls: string): string {
  return `<span class="pill ${escapeHtml(cls)}">${escapeHtml(text)}</span>`;
}

function gateCell(u: UnitReport): string {
  if (u.gate.kind === 'none') return 'none';
  return `${pill(u.gate.status, u.gate.status)} ${escapeHtml(u.gate.text)}`;
}

function findingCounts(findings: readonly FindingReport[]): string {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  if (findings.length === 0) return '<span class="muted">none</span>';
  return `${errors > 0 ? pill(`${errors} error${errors === 1 ? '' : 's'}`, 'error') : ''} ${warnings > 0 ? pill(`${warnings} warning${warnings === 1 ? '' : 's'}`, 'warning') : ''}`.trim();
}
