export {
  advance,
  type AdvanceOptions,
  type AdvanceResult,
  type RanUnit,
  type StoppedAt,
  type StopReason,
  type UnitTarget,
} from './advance.js';
export type { StateSnapshot } from './gate-facts.js';
export type { StepDone } from './run-unit.js';
export { gateVerdictFor } from './gate-verdict.js';
export { setBackfillPaused } from './backfill-control.js';
export type { BackfillStatus } from './backfill-status.js';
export type { ExecutionPolicy } from './policy.js';
export { readState } from './read-state.js';
export { recordApproval, recordMarker, type MarkerInput } from './record.js';
export { rollback, type RollbackOptions, type RollbackResult } from './rollback.js';
export { listMarkers, status, type MigrationStatus, type PhaseStatus, type Status } from './status.js';
export { relationSizes, serverMajorVersion } from './catalog.js';
export { analysisInputFor, analyzeAgainstDatabase, analyzeWithSizes, formatFinding, touchedRelations } from './safety.js';
