import { PhasegateError } from '../errors.js';
import type { Phase } from '../plan/index.js';
import type { AppResult, RehearsalReport } from './report-model.js';

/** One unit as measured by a rehearsal: for `migrate plan --rehearsal`. */
export interface UnitRehearsal {
  readonly migration: string;
  readonly phase: Phase;
  readonly durationMs: number;
  readonly longestTrafficWaitMs: number | null;
  /** Per app: broken if any step of the unit broke it, works if it was checked and held, else outside. */
  readonly apps: Readonly<Record<string, AppResult>>;
}

/** Parses a saved rehearsal (`migrate rehearse --save`, or its --json output). */
export function parseRehearsalReport(text: string, file: string): RehearsalReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PhasegateError('USAGE', `--rehearsal ${file}: not JSON: ${(error as Error).message}`, { hint: 'pass the file written by `migrate rehearse --save FILE.json`', cause: error });
  }
  const shape = value as Partial<RehearsalReport> | null;
  if (shape === null || typeof shape !== 'object' || typeof shape.ok !== 'boolean' || !Array.isArray(shape.steps) || !Array.isArray(shape.apps)) {
    throw new PhasegateError('USAGE', `--rehearsal ${file}: not a rehearsal report (expected "ok", "steps" and "apps")`, {
      hint: 'pass the file written by `migrate rehearse --save FILE.json`',
    });
  }
  return shape as RehearsalReport;
}

/** Folds a rehearsal's steps into one line per unit, in the order they ran. */
export function summarizeUnits(report: RehearsalReport): UnitRehearsal[] {
  const units = new Map<string, { migration: string; phase: Phase; durationMs: number; wait: number | null; apps: Record<string, AppResult> }>();
  for (const step of report.steps) {
    const key = `${step.migration}:${step.phase}`;
    const unit = units.get(key) ?? { migration: step.migration, phase: step.phase, durationMs: 0, wait: null, apps: {} };
    unit.durationMs += step.durationMs;
    if (step.longestTrafficWaitMs !== null) unit.wait = Math.max(unit.wait ?? 0, step.longestTrafficWaitMs);
    for (const [app, result] of Object.entries(step.apps)) {
      const was = unit.apps[app];
      unit.apps[app] = was === 'broken' || result === 'broken' ? 'broken' : was === 'works' || result === 'works' ? 'works' : 'outside';
    }
    units.set(key, unit);
  }
  return [...units.values()].map((u) => ({ migration: u.migration, phase: u.phase, durationMs: u.durationMs, longestTrafficWaitMs: u.wait, apps: u.apps }));
}

const MARK: Readonly<Record<AppResult, string>> = { works: 'works', broken: 'BROKEN', outside: '-' };

/** The per-unit summary as lines of text, to follow the plan report. */
export function renderUnitSummaryText(report: RehearsalReport, file: string): string {
  const lines = [`Rehearsal (${file}): ${report.ok ? 'every app worked in its window' : `${report.failures.length} break(s)`}, PostgreSQL ${report.serverVersion}`];
  for (const u of summarizeUnits(report)) {
    const apps = Object.entries(u.apps).map(([app, r]) => `${app} ${MARK[r]}`).join(', ');
    const wait = u.longestTrafficWaitMs === null ? '' : `, longest traffic wait ${u.longestTrafficWaitMs} ms`;
    lines.push(`  ${u.migration} ${u.phase}: ${u.durationMs} ms measured${wait}; ${apps}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The per-unit summary as a markdown table, to follow the plan report in a PR comment. */
export function renderUnitSummaryMarkdown(report: RehearsalReport, file: string): string {
  const names = report.apps.map((a) => a.name);
  const mark: Readonly<Record<AppResult, string>> = { works: '✅', broken: '❌', outside: '—' };
  const lines = [
    `### Rehearsal ${report.ok ? '✅' : '❌'}`,
    '',
    `From \`${file}\` on PostgreSQL ${report.serverVersion}${report.ok ? '' : `: ${report.failures.length} break(s)`}.`,
    '',
    `| unit | measured | longest traffic wait | ${names.join(' | ')} |`,
    `| --- | ---: | ---: | ${names.map(() => ':---:').join(' | ')} |`,
  ];
  for (const u of summarizeUnits(report)) {
    lines.push(`| ${u.migration} ${u.phase} | ${u.durationMs} ms | ${u.longestTrafficWaitMs === null ? '' : `${u.longestTrafficWaitMs} ms`} | ${names.map((n) => mark[u.apps[n] ?? 'outside']).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
