export {
  BackfillStore,
  type BackfillControl,
  type BackfillRecord,
  type BatchCheckpoint,
  type BatchUpdate,
  type CommittedBatch,
} from './backfill-store.js';
export { acquireRunnerLock, releaseRunnerLock, runnerLockHolder, type LockHolder } from './advisory-lock.js';
export { quoteIdent, withTransaction, type PoolLike, type Queryable } from './db.js';
export {
  readEvents,
  readStepStats,
  stepStatsRead,
  type EventQuery,
  type EventRecord,
  type StepStats,
} from './history.js';
export { ensureStateSchema, installedVersion, STATE_SCHEMA_VERSION } from './install.js';
export {
  StateStore,
  type ApprovalRecord,
  type EventKind,
  type MarkerRecord,
  type RecordedFingerprints,
  type UnitRecord,
  type UnitState,
} from './store.js';
export {
  readRunnerBeat,
  recordRunner,
  runnerBeatRead,
  startHeartbeat,
  type Heartbeat,
  type HeartbeatConnection,
  type RunnerBeat,
} from './runner-heartbeat.js';
