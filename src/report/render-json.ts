import type { PlanReport } from './plan-report.js';

/** The plan report as JSON (docs/plan-json-schema.md): the data value itself, two-space indented. */
export function renderJson(report: PlanReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
