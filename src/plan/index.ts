export { buildMigration, MIGRATION_FILE } from './build-migration.js';
export { defineMigration } from './define-migration.js';
export { formatDuration, parseDuration } from './duration.js';
export { changedPhases } from './fingerprint.js';
export type { BackfillStep, Migration, SqlStep, Step, Timeouts, Unit, VerifyStep } from './model.js';
export { unitName } from './model.js';
export { compareIds, orderUnits } from './order.js';
export { isPhase, phaseIndex, PHASES, type Phase } from './phases.js';
export type { BackfillSpec, Gate, GateInput, MigrationDefinition } from './schema.js';
