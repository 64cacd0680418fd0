import { PhasegateError } from '../errors.js';
import { isPhase, phaseIndex, type Phase } from '../plan/index.js';
import { redactSecrets } from '../secrets.js';
import { BackfillStore } from './backfill-store.js';
import { quoteIdent, readAll, readOne, type Queryable, type Read, type ReadResults } from './db.js';
import { changeWithEvent, recordEvent, type StateEvent } from './events.js';

export type UnitState = 'running' | 'done' | 'failed' | 'rolledBack';

export interface UnitRecord {
  readonly migrationId: string;
  readonly phase: Phase;
  readonly state: UnitState;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly attempts: number;
  readonly lastError: string | null;
}

export interface MarkerRecord {
  readonly kind: 'marker' | 'deploy';
  readonly name: string | null;
  readonly app: string | null;
  readonly version: string | null;
  readonly recordedBy: string | null;
  readonly recordedAt: Date;
}

export interface ApprovalRecord {
  readonly migrationId: string;
  readonly phase: Phase;
  readonly approvedBy: string;
  readonly approvedAt: Date;
}

/** Per-phase hashes of a migration as it was when its phases last started. */
export interface RecordedFingerprints {
  /** Of the definition as written: equal means unchanged, without parsing anything. */
  readonly raw: Readonly<Partial<Record<Phase, string>>>;
  /** Of the parse trees, without knobs; null for a migration recorded before they were kept. */
  readonly normalized: Readonly<Partial<Record<Phase, string>>> | null;
}

export type EventKind =
  | 'unitStarted'
  | 'unitFinished'
  | 'unitFailed'
  | 'gateWaiting'
  | 'markerRecorded'
  | 'approvalRecorded'
  | 'unitRolledBack'
  | 'unitReapplied'
  | 'migrationForgotten'
  | 'backfillPaused'
  | 'backfillResumed'
  | 'backfillWaiting'
  | 'backfillGoing';

/**
 * Every SQL statement against the state schema lives here. The store works on
 * whatever client it is given, so a caller inside a transaction gets its
 * writes committed or rolled back together with its own statements.
 */
export class StateStore {
  readonly #db: Queryable;
  readonly #s: string;
  readonly #reads: StateReads;

  /** The backfill engine's checkpoints, pacing and pause flags, on the same client. */
  readonly backfills: BackfillStore;

  constructor(db: Queryable, schema: string) {
    this.#db = db;
    this.#s = quoteIdent(schema);
    this.backfills = new BackfillStore(db, schema);
    this.#reads = stateReads(this.#s, (id) => this.#unreadable(id));
  }

  #read<K extends keyof StateReads>(key: K): Promise<ReadResults<StateReads>[K]> {
    return readOne(this.#db, this.#reads[key] as Read<unknown>) as Promise<ReadResults<StateReads>[K]>;
  }

  units(): Promise<UnitRecord[]> {
    return this.#read('units');
  }

  /**
   * Marks a unit running (counting the attempt) and records its migration's
   * fingerprints as they are now; returns the indexes of the unit's steps
   * that already committed. One statement.
   */
  async startUnit(migrationId: string, phase: Phase, fingerprints: RecordedFingerprints): Promise<Set<number>> {
    const rows = await this.#changeWithEvent<{ step_index: number }>(
      [
        this.#fingerprintsUpsert('$1', '$3', '$4'),
        `INSERT INTO ${this.#s}.units (migration_id, phase, state, started_at, attempts)
         VALUES ($1, $2, 'running', now(), 1)
         ON CONFLICT (migration_id, phase) DO UPDATE
         SET state = 'running', started_at = now(), finished_at = NULL, attempts = ${this.#s}.units.attempts + 1, last_error = NULL`,
      ],
      [migrationId, phase, JSON.stringify(fingerprints.raw), JSON.stringify(fingerprints.normalized)],
      { kind: 'unitStarted', migrationId, phase, detail: {} },
      `SELECT step_index FROM ${this.#s}.steps WHERE migration_id = $1 AND phase = $2`,
    );
    return new Set(rows.map((r) => r.step_index));
  }

  async finishUnit(migrationId: string, phase: Phase): Promise<void> {
    await this.#changeWithEvent(
      [
        `UPDATE ${this.#s}.units SET state = 'done', finished_at = now(), last_error = NULL
         WHERE migration_id = $1 AND phase = $2`,
      ],
      [migrationId, phase],
      { kind: 'unitFinished', migrationId, phase, detail: {} },
    );
  }

  async failUnit(migrationId: string, phase: Phase, message: string): Promise<void> {
    await this.#changeWithEvent(
      [`UPDATE ${this.#s}.units SET state = 'failed', last_error = $3 WHERE migration_id = $1 AND phase = $2`],
      [migrationId, phase, redactSecrets(message)],
      { kind: 'unitFailed', migrationId, phase, detail: { error: message } },
    );
  }

  /**
   * Marks a unit rolled back and forgets its steps, backfill progress and
   * pause flag, so that once reapplied it runs again from the start.
   */
  async rollBackUnit(migrationId: string, phase: Phase): Promise<void> {
    await this.#db.query(
      `UPDATE ${this.#s}.units SET state = 'rolledBack', finished_at = now() WHERE migration_id = $1 AND phase = $2`,
      [migrationId, phase],
    );
    await this.#db.query(`DELETE FROM ${this.#s}.steps WHERE migration_id = $1 AND phase = $2`, [migrationId, phase]);
    if (phase === 'backfill') {
      await this.#db.query(`DELETE FROM ${this.#s}.backfills WHERE migration_id = $1`, [migrationId]);
      await this.#db.query(`DELETE FROM ${this.#s}.backfill_controls WHERE migration_id = $1`, [migrationId]);
    }
    await this.recordEvent('unitRolledBack', migrationId, phase, {});
  }

  /** Releases a migration's rolled-back units: they read as pending again. Returns their phases. */
  async reapply(migrationId: string): Promise<Phase[]> {
    const { rows } = await this.#db.query<{ phase: Phase }>(
      `DELETE FROM ${this.#s}.units WHERE migration_id = $1 AND state = 'rolledBack' RETURNING phase`,
      [migrationId],
    );
    const phases = rows.map((r) => r.phase).sort((a, b) => phaseIndex(a) - phaseIndex(b));
    for (const phase of phases) await this.recordEvent('unitReapplied', migrationId, phase, {});
    return phases;
  }

  /** Deletes every record of a migration except its events. */
  async forgetMigration(migrationId: string): Promise<void> {
    for (const table of ['migrations', 'units', 'steps', 'backfills', 'backfill_controls', 'approvals']) {
      const column = table === 'migrations' ? 'id' : 'migration_id';
      await this.#db.query(`DELETE FROM ${this.#s}.${table} WHERE ${column} = $1`, [migrationId]);
    }
    await this.recordEvent('migrationForgotten', migrationId, null, {});
  }

  /** Units with work committed: a recorded step or a backfill batch. */
  unitsWithCommittedWork(): Promise<Set<string>> {
    return this.#read('committed');
  }

  async recordStep(migrationId: string, phase: Phase, stepIndex: number, durationMs: number, attempts: number): Promise<void> {
    await this.#db.query(
      `INSERT INTO ${this.#s}.steps (migration_id, phase, step_index, duration_ms, attempts)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (migration_id, phase, step_index) DO UPDATE SET finished_at = now(), duration_ms = $4, attempts = $5`,
      [migrationId, phase, stepIndex, Math.round(durationMs), attempts],
    );
  }

  /**
   * The fingerprints of every migration that has started.
   * @throws PhasegateError (STATE_INVALID) when a row is not a map of phase to hash.
   */
  fingerprints(): Promise<Map<string, RecordedFingerprints>> {
    return this.#read('fingerprints');
  }

  /** Records what a migration is as its phase starts; replaces what an earlier run recorded. */
  async saveFingerprints(migrationId: string, fingerprints: RecordedFingerprints): Promise<void> {
    await this.#db.query(this.#fingerprintsUpsert('$1', '$2', '$3'), [migrationId, JSON.stringify(fingerprints.raw), JSON.stringify(fingerprints.normalized)]);
  }

  /** A migration's fingerprints, inserted or replaced; the arguments are the parameters' placeholders. */
  #fingerprintsUpsert(id: string, raw: string, normalized: string): string {
    return `INSERT INTO ${this.#s}.migrations (id, fingerprints, normalized_fingerprints) VALUES (${id}, ${raw}, ${normalized})
       ON CONFLICT (id) DO UPDATE SET fingerprints = ${raw}, normalized_fingerprints = ${normalized}`;
  }

  #unreadable(migrationId: string): PhasegateError {
    return new PhasegateError('STATE_INVALID', `the recorded fingerprints of ${migrationId} are unreadable (${this.#s}.migrations was edited?)`, {
      hint:
        `if its file is the one that ran, delete the row so that the next run records it again: ` +
        `DELETE FROM ${this.#s}.migrations WHERE id = '${migrationId.replaceAll("'", "''")}'`,
    });
  }

  async recordMarker(name: string, recordedBy: string | null): Promise<void> {
    await this.#changeWithEvent([`INSERT INTO ${this.#s}.markers (kind, name, recorded_by) VALUES ('marker', $1, $2)`], [name, recordedBy], {
      kind: 'markerRecorded',
      migrationId: null,
      phase: null,
      detail: { name },
    });
  }

  async recordDeploy(app: string, version: string, recordedBy: string | null): Promise<void> {
    await this.#changeWithEvent(
      [`INSERT INTO ${this.#s}.markers (kind, app, version, recorded_by) VALUES ('deploy', $1, $2, $3)`],
      [app, version, recordedBy],
      { kind: 'markerRecorded', migrationId: null, phase: null, detail: { app, version } },
    );
  }

  /** Every marker and deploy, oldest first. */
  markers(): Promise<MarkerRecord[]> {
    return this.#read('markers');
  }

  async recordApproval(migrationId: string, phase: Phase, approvedBy: string): Promise<void> {
    await this.#changeWithEvent(
      [
        `INSERT INTO ${this.#s}.approvals (migration_id, phase, approved_by) VALUES ($1, $2, $3)
         ON CONFLICT (migration_id, phase) DO UPDATE SET approved_by = $3, approved_at = now()`,
      ],
      [migrationId, phase, approvedBy],
      { kind: 'approvalRecorded', migrationId, phase, detail: { by: approvedBy } },
    );
  }

  async recordEvent(kind: EventKind, migrationId: string | null, phase: Phase | null, detail: object): Promise<void> {
    await recordEvent(this.#db, this.#s, { kind, migrationId, phase, detail });
  }

  #changeWithEvent<R extends object = object>(changes: readonly string[], params: readonly unknown[], event: StateEvent, result?: string): Promise<R[]> {
    return changeWithEvent<R>(this.#db, this.#s, changes, params, event, result);
  }

  /** The database's clock: gates and records use it so runner clocks never matter. */
  now(): Promise<Date> {
    return this.#read('now');
  }

  /**
   * Every read above in one round trip: parameterless statements sent as one
   * query (PostgreSQL's simple protocol), each result mapped as its method
   * maps it; with `also`, other reads a caller needs beside the state.
   */
  snapshot<A extends Record<string, Read<unknown>> = Record<never, never>>(also?: A): Promise<ReadResults<StateReads> & ReadResults<A>> {
    return readAll(this.#db, { ...this.#reads, ...also }) as Promise<ReadResults<StateReads> & ReadResults<A>>;
  }
}

type UnitRow = {
  migration_id: string; phase: Phase; state: UnitState; started_at: Date | null;
  finished_at: Date | null; attempts: number; last_error: string | null;
};
type MarkerRow = { kind: 'marker' | 'deploy'; name: string | null; app: string | null; version: string | null; recorded_by: string | null; recorded_at: Date };
type ApprovalRow = { migration_id: string; phase: Phase; approved_by: string; approved_at: Date };
type FingerprintRow = { id: string; fingerprints: unknown; normalized_fingerprints: unknown };
type StateReads = ReturnType<typeof stateReads>;

/**
 * The reads gates and reports need, each as its SQL text (no parameters)
 * and the mapping of its rows: a StateStore method runs one, and `snapshot`
 * sends them all in one round trip. `s` is the quoted schema.
 */
function stateReads(s: string, unreadable: (migrationId: string) => PhasegateError) {
  return {
    units: {
      sql: `SELECT * FROM ${s}.units ORDER BY migration_id, phase`,
      map: (rows: readonly UnitRow[]): UnitRecord[] =>
        rows.map((r) => ({
          migrationId: r.migration_id, phase: r.phase, state: r.state, startedAt: r.started_at,
          finishedAt: r.finished_at, attempts: r.attempts, lastError: r.last_error,
        })),
    },
    markers: {
      sql: `SELECT kind, name, app, version, recorded_by, recorded_at FROM ${s}.markers ORDER BY id`,
      map: (rows: readonly MarkerRow[]): MarkerRecord[] =>
        rows.map((r) => ({ kind: r.kind, name: r.name, app: r.app, version: r.version, recordedBy: r.recorded_by, recordedAt: r.recorded_at })),
    },
    approvals: {
      sql: `SELECT * FROM ${s}.approvals`,
      map: (rows: readonly ApprovalRow[]): ApprovalRecord[] =>
        rows.map((r) => ({ migrationId: r.migration_id, phase: r.phase, approvedBy: r.approved_by, approvedAt: r.approved_at })),
    },
    fingerprints: {
      // Through to_jsonb: read-only commands do not upgrade, and a version 2 schema has no such column.
      sql: `SELECT id, fingerprints, to_jsonb(m) -> 'normalized_fingerprints' AS normalized_fingerprints FROM ${s}.migrations m`,
      map: (rows: readonly FingerprintRow[]): Map<string, RecordedFingerprints> =>
        new Map(
          rows.map((r) => {
            const raw = phaseHashes(r.fingerprints);
            const normalized = r.normalized_fingerprints === null ? null : phaseHashes(r.normalized_fingerprints);
            if (raw === undefined || normalized === undefined) throw unreadable(r.id);
            return [r.id, { raw, normalized }];
          }),
        ),
    },
    committed: {
      sql: `SELECT migration_id || ':' || phase AS unit FROM ${s}.steps
            UNION SELECT migration_id || ':backfill' FROM ${s}.backfills WHERE batches > 0`,
      map: (rows: readonly { unit: string }[]): Set<string> => new Set(rows.map((r) => r.unit)),
    },
    now: {
      sql: 'SELECT now() AS now',
      map: (rows: readonly { now: Date }[]): Date => rows[0]?.now ?? new Date(),
    },
  };
}

/** A jsonb map of phase to hash, or undefined when it is anything else. */
function phaseHashes(value: unknown): Partial<Record<Phase, string>> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  return entries.every(([phase, hash]) => isPhase(phase) && typeof hash === 'string' && hash !== '') ? Object.fromEntries(entries) : undefined;
}
