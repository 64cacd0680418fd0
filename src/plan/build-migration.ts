import { PhasegateError } from '../errors.js';
import { fingerprintUnits } from './fingerprint.js';
import type { Migration, Step, Unit } from './model.js';
import { PHASES, type Phase } from './phases.js';
import { migrationDefinitionSchema, type ParsedDefinition } from './schema.js';

/** A migration file's name: "<sortable id>_<name>.ts|.js"; the id is the name without extension. */
export const MIGRATION_FILE = /^([0-9A-Za-z][0-9A-Za-z.-]*_[0-9A-Za-z_.-]+)\.(?:ts|mts|js|mjs)$/;

/**
 * Validates a migration file's default export and turns it into units.
 * Every problem is reported at once, each as "file: dot.path: message".
 */
export function buildMigration(id: string, file: string, exported: unknown): Migration {
  const parsed = migrationDefinitionSchema.safeParse(exported);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.');
      return `${file}: ${path === '' ? '' : `${path}: `}${issue.message}`;
    });
    throw new PhasegateError('INVALID_MIGRATION', lines.join('\n'), {
      hint: 'fix the migration definition; see the authoring guide in README.md (defineMigration)',
    });
  }
  const units = PHASES.flatMap((phase) => {
    const unit = buildUnit(id, phase, parsed.data);
    return unit === undefined ? [] : [unit];
  });
  return { id, description: parsed.data.description, file, units, fingerprints: fingerprintUnits(units) };
}

function buildUnit(migrationId: string, phase: Phase, def: ParsedDefinition): Unit | undefined {
  const body = def[phase];
  if (body === undefined) return undefined;
  const steps: Step[] = [];
  for (const sql of body.sql ?? []) steps.push({ kind: 'sql', sql, transactional: true });
  for (const step of body.steps ?? []) {
    steps.push({
      kind: 'sql',
      sql: step.sql,
      transactional: step.transaction ?? true,
      ...(step.lockTimeout === undefined ? {} : { lockTimeoutMs: step.lockTimeout }),
      ...(step.statementTimeout === undefined ? {} : { statementTimeoutMs: step.statementTimeout }),
    });
  }
  if ('backfill' in body && body.backfill !== undefined) steps.push({ kind: 'backfill', spec: body.backfill });
  if (body.verify !== undefined) steps.push({ kind: 'verify', query: body.verify });
  return { migrationId, phase, gate: body.gate, steps, down: body.down };
}
