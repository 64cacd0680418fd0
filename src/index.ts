/**
 * phasegate's library API. The CLI is a thin layer over these functions;
 * pipelines and tests can call them directly with their own pg client.
 */
export { PhasegateError, type ErrorCode } from './errors.js';
export { defineMigration, type Gate, type GateInput, type Migration, type MigrationDefinition, type Phase, type Step, type Unit } from './plan/index.js';
export type { ConfigFile } from './load/index.js';
export { loadConfig, loadMigrations, type Config } from './load/index.js';
export {
  advance,
  recordApproval,
  recordMarker,
  rollback,
  status,
  type AdvanceOptions,
  type AdvanceResult,
  type ExecutionPolicy,
  type MarkerInput,
  type RollbackResult,
  type Status,
  type StopReason,
} from './execute/index.js';
export {
  planReportSchema,
  preparePlanReport,
  renderHtml,
  renderJson,
  renderMarkdown,
  renderText,
  type PlanReport,
  type PreparePlanOptions,
} from './report/index.js';
export { ensureStateSchema } from './state/index.js';
export {
  rehearse,
  renderRehearsalMarkdown,
  renderRehearsalText,
  type AppVersion,
  type CheckFunction,
  type RehearsalReport,
  type RehearseOptions,
} from './rehearse/index.js';
