import semver from 'semver';
import { PhasegateError } from '../errors.js';
import type { Migration, Phase } from '../plan/index.js';
import { ensureStateSchema, StateStore, type Queryable } from '../state/index.js';

export type MarkerInput = { readonly kind: 'marker'; readonly name: string } | { readonly kind: 'deploy'; readonly app: string; readonly version: string };

/** The longest marker, app or approver name phasegate stores. */
export const MAX_NAME_LENGTH = 200;

/** Characters a terminal acts on or hides: controls (newline, ESC), format marks (bidi overrides), line separators. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * Refuses a name that `status`, `log` and gate messages could not print as
 * one honest line: empty, padded, too long, or holding a newline or a
 * terminal escape (which would let it forge log lines). The message never
 * echoes the name itself, for the same reason.
 */
export function checkName(field: string, name: string): void {
  const problem =
    name.trim() === ''
      ? 'is empty'
      : name !== name.trim()
        ? 'starts or ends with blanks'
        : [...name].length > MAX_NAME_LENGTH
          ? `is ${[...name].length} characters long; at most ${MAX_NAME_LENGTH} are allowed`
          : unprintable(name);
  if (problem === undefined) return;
  throw new PhasegateError('USAGE', `${field} ${problem}`, {
    hint: 'use printable text on one line, e.g. api-reads-email-address or "deploy #812"',
  });
}

function unprintable(name: string): string | undefined {
  const at = UNPRINTABLE.exec(name);
  if (at === null) return undefined;
  const code = (at[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return `holds the unprintable character U+${code} at position ${[...name.slice(0, at.index)].length + 1} (no newlines, tabs or terminal escapes)`;
}

/** Refuses a marker, app, version or recorder that could not be stored and printed as given (USAGE). */
export function checkMarker(marker: MarkerInput, recordedBy: string | null): void {
  if (marker.kind === 'marker') checkName('the marker name', marker.name);
  else checkName('--app', marker.app);
  if (recordedBy !== null) checkName('--by', recordedBy);
  if (marker.kind === 'deploy' && semver.valid(marker.version) === null) {
    throw new PhasegateError('USAGE', `--version ${JSON.stringify(marker.version)} is not a semver version`, { hint: 'use e.g. --version 2.4.0' });
  }
}

/** Records what the CD pipeline deployed: a named marker or an app version. */
export async function recordMarker(db: Queryable, schema: string, marker: MarkerInput, recordedBy: string | null): Promise<void> {
  checkMarker(marker, recordedBy);
  await ensureStateSchema(db, schema);
  const store = new StateStore(db, schema);
  if (marker.kind === 'marker') await store.recordMarker(marker.name, recordedBy);
  else await store.recordDeploy(marker.app, marker.version, recordedBy);
}

/** Records that `by` approved one phase of one migration. */
export async function recordApproval(
  db: Queryable,
  schema: string,
  migrations: readonly Migration[],
  migrationId: string,
  phase: Phase,
  by: string,
): Promise<void> {
  checkName('--by', by);
  const migration = migrations.find((m) => m.id === migrationId);
  if (migration === undefined) {
    throw new PhasegateError('USAGE', `no migration ${migrationId}`, { hint: '`migrate status` lists migration ids' });
  }
  if (!migration.units.some((u) => u.phase === phase)) {
    throw new PhasegateError('USAGE', `${migrationId} has no ${phase} phase`, {
      hint: `its phases are ${migration.units.map((u) => u.phase).join(', ')}`,
    });
  }
  await ensureStateSchema(db, schema);
  await new StateStore(db, schema).recordApproval(migrationId, phase, by);
}
