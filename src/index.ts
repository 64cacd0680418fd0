/**
 * phasegate's library API. The CLI is a thin layer over these functions;
 * pipelines and tests call them with a session from connectRunner.
 */
export { PhasegateError, type ErrorCode } from './errors.js';
export type { Logger } from './logger.js';
export { type Gate, type GateInput, type Migration, type MigrationDefinition, type OperationInput, type Phase, type Step, type Unit } from './plan/index.js';
export type { ConfigFile } from './load/index.js';
export { defineMigration, loadConfig, loadMigrations, ops, type Config, type OperationBuilders } from './load/index.js';
export {
  advance,
  connectRunner,
  forget,
  policyFromConfig,
  reapply,
  recordApproval,
  recordMarker,
  rollback,
  status,
  type AdvanceOptions,
  type AdvanceResult,
  type ExecutionPolicy,
  type PolicySettings,
  type MarkerInput,
  type RollbackOptions,
  type RollbackResult,
  type RunnerConnectionSettings,
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
