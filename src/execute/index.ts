export {
  advance,
  type AdvanceOptions,
  type AdvanceResult,
  type RanUnit,
  type StoppedAt,
  type StopReason,
  type UnitTarget,
} from './advance.js';
export { assertNotEdited, editedMigrationsError, findEditedMigrations, type EditedMigration } from './edited-migrations.js';
export { fileDrift, type FileDrift, type MissingMigration } from './file-drift.js';
export { forget, type ForgetResult } from './forget.js';
export type { StateSnapshot } from './gate-facts.js';
export { reapply, type ReapplyResult } from './reapply.js';
export type { StepDone } from './run-unit.js';
export { gateVerdictFor } from './gate-verdict.js';
export { setBackfillPaused } from './backfill-control.js';
export type { BackfillStatus } from './backfill-status.js';
export { policyFromConfig, type ExecutionPolicy, type PolicySettings } from './policy.js';
export { readState } from './read-state.js';
export { describeLockHolder, type HeartbeatOptions, type RunnerStatus } from './runner-lock.js';
export { explainServerError } from './server-error.js';
export { checkMarker, checkName, MAX_NAME_LENGTH, recordApproval, recordMarker, type MarkerInput } from './record.js';
export { rollback, type RollbackOptions, type RollbackResult } from './rollback.js';
export { listMarkers, status, type MigrationStatus, type PhaseStatus, type Status } from './status.js';
export { assertNamesExist, unknownNameProblems, unknownNamesError } from './check-names.js';
export { batchUpdate, buildBatchSql, resolveBackfillSettings, type BackfillDefaults, type BackfillSettings, type BatchSql } from '../backfill/index.js';
export { columnFacts, databaseFacts, type DatabaseFacts, timeZone } from './column-facts.js';
export { analysisInputFor, analyzeAgainstDatabase, analyzeWithSizes, formatFinding, touchedRelations } from './safety.js';
export { connectRunner, type RunnerConnectionSettings } from './connect-runner.js';
