import { PhasegateError } from '../errors.js';
import { fingerprintUnits } from './fingerprint.js';
import type { Migration, Step, Unit } from './model.js';
import { PHASES, type Phase } from './phases.js';
import { z } from 'zod';
import { compileDefinition, type PhaseBody } from './operations/compile.js';
import { operationSchema } from './operations/operation-schema.js';
import { migrationDefinitionSchema } from './schema.js';

/** A migration file's name: "<sortable id>_<name>.ts|.js"; the id is the name without extension. */
export const MIGRATION_FILE = /^([0-9A-Za-z][0-9A-Za-z.-]*_[0-9A-Za-z_.-]+)\.(?:ts|mts|js|mjs)$/;

/**
 * Validates a migration file's default export and turns it into units.
 * Every problem is reported at once, each as "file: dot.path: message".
 */
export function buildMigration(id: string, file: string, exported: unknown): Migration {
  const parsed = migrationDefinitionSchema.safeParse(exported);
  if (!parsed.success) throw invalidDefinition(file, parsed.error.issues);
  const { description, operations = [], gates = {}, ...written } = parsed.data;
  const compiled = compileDefinition(written, operations, gates);
  if (compiled.problems.length > 0) {
    throw new PhasegateError('INVALID_MIGRATION', compiled.problems.map(([path, message]) => `${file}: ${path}: ${message}`).join('\n'), {
      hint: 'fix the migration definition; see docs/operations.md for operations',
    });
  }
  const units = PHASES.flatMap((phase) => {
    const body = compiled.bodies[phase];
    return body === undefined ? [] : [buildUnit(id, phase, body)];
  });
  return {
    id,
    description,
    file,
    units,
    fingerprints: fingerprintUnits(units),
    operationFragments: compiled.fragments,
    requiredNames: compiled.requires,
  };
}

function buildUnit(migrationId: string, phase: Phase, body: PhaseBody): Unit {
  const steps: Step[] = body.steps.map((step) => ({
    kind: 'sql',
    sql: step.sql,
    transactional: step.transaction ?? true,
    ...(step.lockTimeout === undefined ? {} : { lockTimeoutMs: step.lockTimeout }),
    ...(step.statementTimeout === undefined ? {} : { statementTimeoutMs: step.statementTimeout }),
  }));
  if (body.backfill !== undefined) steps.push({ kind: 'backfill', spec: body.backfill });
  if (body.verify !== undefined) steps.push({ kind: 'verify', query: body.verify });
  return { migrationId, phase, gate: body.gate, steps, down: body.down };
}

/**
 * The phases a list of operations generates, in phase order (for writing a
 * migration around them). Throws like buildMigration on bad parameters.
 */
export function phasesOfOperations(file: string, operations: readonly unknown[]): Phase[] {
  const parsed = z.array(operationSchema).safeParse(operations);
  if (!parsed.success) throw invalidDefinition(file, parsed.error.issues.map((issue) => ({ ...issue, path: ['operations', ...issue.path] })));
  const { bodies } = compileDefinition({}, parsed.data, {});
  return PHASES.filter((phase) => bodies[phase] !== undefined);
}

/** Every schema problem at once, each as "file: dot.path: message". */
function invalidDefinition(file: string, issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[]): PhasegateError {
  const lines = issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return `${file}: ${path === '' ? '' : `${path}: `}${issue.message}`;
  });
  return new PhasegateError('INVALID_MIGRATION', lines.join('\n'), {
    hint: 'fix the migration definition; see the authoring guide in README.md (defineMigration) and docs/operations.md',
  });
}
