/**
 * Plan reports for DBAs: a `PlanReport` value built from the plan, its
 * analysis and (when a database answers) sizes, state, gates and EXPLAINs;
 * then one pure renderer per format. Reads only; prints nothing.
 */
export { buildPlanReport, OFFLINE_UNKNOWNS, type PlanReportInput } from './build-plan-report.js';
export type { PlanSettings } from './build-steps.js';
export { collectDbFacts, type CollectInput } from './collect-db-facts.js';
export type { BackfillFacts, DbContext, DbFacts, GateFact, RelationFacts } from './db-facts.js';
export { formatBytes } from './format.js';
export { PLAN_FORMATS, PLAN_REPORT_SCHEMA_VERSION, type PlanFormat } from './plan-report.js';
export type {
  BackfillEstimate,
  BackfillStepReport,
  DatabaseContext,
  ExplainReport,
  FindingReport,
  GateReport,
  LockImpact,
  LockReport,
  PlanReport,
  PlanSelection,
  PlanSummary,
  RelationReport,
  RollbackReport,
  SqlStepReport,
  StatementReport,
  StepReport,
  UnitReport,
  UnitStateReport,
  VerifyStepReport,
} from './plan-report.js';
export { planReportJsonSchema, planReportSchema } from './plan-report-schema.js';
export { preparePlanReport, type PlanDatabase, type PreparePlanOptions } from './prepare-plan-report.js';
export { renderHtml } from './render-html.js';
export { renderJson } from './render-json.js';
export { renderMarkdown, type MarkdownOptions } from './render-markdown.js';
export { PLAIN_STYLE, renderText, type TextOptions, type TextStyle } from './render-text.js';
