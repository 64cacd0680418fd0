import type { BackfillSpec, Gate } from '../schema.js';
import { PHASES, type Phase } from '../phases.js';
import type { GeneratedBackfill, OperationFragment, OperationOutput, PhaseOutput, RequiredName } from './output.js';
import { compileOperation, type ParsedOperation } from './registry.js';
import type { TableRef } from './sql.js';

/** A step as the unit builder takes it, hand-written or generated. */
export interface StepBody {
  readonly sql: string;
  readonly transaction?: boolean | undefined;
  readonly lockTimeout?: number | undefined;
  readonly statementTimeout?: number | undefined;
}

/** A phase as written in the file, before operations are added to it. */
export interface WrittenPhase {
  readonly sql?: readonly string[] | undefined;
  readonly steps?: readonly StepBody[] | undefined;
  readonly down?: readonly string[] | undefined;
  readonly gate?: Gate | undefined;
  readonly verify?: string | undefined;
  readonly backfill?: BackfillSpec | undefined;
}

/** One phase with the operations' statements and the file's own, in run order. */
export interface PhaseBody {
  readonly steps: readonly StepBody[];
  readonly down: readonly string[] | undefined;
  readonly gate: Gate | undefined;
  readonly verify: string | undefined;
  readonly backfill: BackfillSpec | undefined;
}

export interface CompiledDefinition {
  readonly bodies: Partial<Record<Phase, PhaseBody>>;
  readonly fragments: readonly OperationFragment[];
  readonly requires: readonly RequiredName[];
  /** Problems as [dot path, message]. */
  readonly problems: readonly (readonly [string, string])[];
}

type Contribution = { readonly index: number; readonly output: PhaseOutput };

/**
 * Adds the operations' phases to the file's own: per phase, the operations'
 * statements in the order listed, then the phase's hand-written SQL. Down
 * statements undo in reverse (hand-written first, then the operations from
 * last to first); verify queries add up; one backfill per migration (several
 * operations on one table share it). Pure: the same definition always gives
 * the same SQL, so fingerprints stay put.
 */
export function compileDefinition(
  written: Readonly<Partial<Record<Phase, WrittenPhase | undefined>>>,
  operations: readonly ParsedOperation[],
  gates: Readonly<Partial<Record<Phase, Gate | undefined>>>,
): CompiledDefinition {
  const problems: [string, string][] = [];
  const outputs = operations.map((operation) => compileOperation(operation));
  const fragments = outputs.flatMap((o, i) => (o.fragments ?? []).map((f) => ({ ...f, field: `operations.${i}.${f.field}` })));
  const requires = requiredBeforeCreated(outputs);
  const backfill = mergeBackfills(outputs, problems);
  const bodies: Partial<Record<Phase, PhaseBody>> = {};
  for (const phase of PHASES) {
    const own = written[phase];
    const contributions: Contribution[] = outputs.flatMap((o, index) => (o.phases[phase] === undefined ? [] : [{ index, output: o.phases[phase] }]));
    const generatedBackfill = phase === 'backfill' ? backfill : undefined;
    if (own === undefined && contributions.length === 0 && generatedBackfill === undefined) {
      if (gates[phase] !== undefined) problems.push([`gates.${phase}`, `no operation and no hand-written SQL makes a ${phase} phase to gate`]);
      continue;
    }
    if (own?.gate !== undefined && gates[phase] !== undefined) problems.push([`gates.${phase}`, `the ${phase} phase already has its own gate; give it one gate only`]);
    if (own?.backfill !== undefined && generatedBackfill !== undefined) {
      problems.push(['backfill.backfill', 'the operations already backfill in this migration; one backfill per migration (put this one in a migration of its own)']);
    }
    const gate = own?.gate ?? gates[phase];
    if (phase === 'drop' && gate === undefined) {
      problems.push(['gates.drop', 'is required: a drop phase must wait on a marker, an app version, a soak time or an approval']);
    }
    bodies[phase] = {
      steps: [...contributions.flatMap((c) => c.output.steps.map((s) => (s.transaction === false ? { sql: s.sql, transaction: false } : { sql: s.sql }))), ...writtenSteps(own)],
      down: mergeDown(own, contributions),
      gate,
      verify: sumOfCounts([...contributions.flatMap((c) => c.output.verify ?? []), ...(own?.verify === undefined ? [] : [own.verify])]),
      backfill: own?.backfill ?? generatedBackfill,
    };
  }
  return { bodies, fragments, requires, problems };
}

function writtenSteps(own: WrittenPhase | undefined): StepBody[] {
  return [...(own?.sql ?? []).map((sql) => ({ sql })), ...(own?.steps ?? [])];
}

/** Undo in reverse; a phase with any statements nobody can undo has no down at all (rollback refuses it). */
function mergeDown(own: WrittenPhase | undefined, contributions: readonly Contribution[]): readonly string[] | undefined {
  const ownHasSteps = writtenSteps(own).length > 0;
  if (contributions.length === 0) return own?.down;
  if ((ownHasSteps && own?.down === undefined) || contributions.some((c) => c.output.steps.length > 0 && c.output.down === undefined)) return undefined;
  return [...(own?.down ?? []), ...[...contributions].reverse().flatMap((c) => c.output.down ?? [])];
}

/** One query for several "must be 0" counts: their sum. */
function sumOfCounts(queries: readonly string[]): string | undefined {
  if (queries.length <= 1) return queries[0];
  return `SELECT ${queries.map((q) => `coalesce((${q}\n), 0)`).join(' + ')}`;
}

/** The operations' backfills as one: same table required, SET lists joined, conditions OR-ed. */
function mergeBackfills(outputs: readonly OperationOutput[], problems: [string, string][]): BackfillSpec | undefined {
  const backfills = outputs.flatMap((o, index) => (o.backfill === undefined ? [] : [{ index, backfill: o.backfill }]));
  const first = backfills[0];
  if (first === undefined) return undefined;
  for (const other of backfills.slice(1)) {
    if (other.backfill.table !== first.backfill.table) {
      problems.push([
        `operations.${other.index}`,
        `backfills ${other.backfill.table}, but operation ${first.index} already backfills ${first.backfill.table}; one backfill per migration (put this operation in a migration of its own)`,
      ]);
    }
  }
  const all: GeneratedBackfill[] = backfills.map((b) => b.backfill);
  const where = all.every((b) => b.where !== undefined) ? all.map((b) => (all.length === 1 ? b.where : `(${b.where})`)).join(' OR ') : undefined;
  return { table: first.backfill.table, set: all.flatMap((b) => b.set).join(', '), ...(where === undefined ? {} : { where }) };
}

/** What each operation needs, less the tables an earlier operation of the same migration creates. */
function requiredBeforeCreated(outputs: readonly OperationOutput[]): RequiredName[] {
  const created: TableRef[] = [];
  const required: RequiredName[] = [];
  outputs.forEach((output, index) => {
    for (const need of output.requires ?? []) {
      if (!created.some((c) => c.table === need.table && c.schema === need.schema)) required.push({ ...need, field: `operations.${index}.${need.field}` });
    }
    created.push(...(output.creates ?? []));
  });
  return required;
}
