import type { Phase } from '../plan/index.js';
import { quoteIdent, readOne, type Queryable, type Read } from './db.js';
import { installedVersion } from './install.js';

/*
 * Read-only history for reports, `status` and `migrate log`. Every function
 * returns nothing (rather than failing) on a database where phasegate never
 * ran, so read-only commands never need, or create, the state schema.
 */

/** One entry of the append-only event log. */
export interface EventRecord {
  readonly id: number;
  readonly at: Date;
  /** An `EventKind`; kept as text so events written by newer versions still read. */
  readonly kind: string;
  readonly migrationId: string | null;
  readonly phase: Phase | null;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface EventQuery {
  /** Only this migration's events (markers and deploys carry no migration and are left out). */
  readonly migrationId?: string | undefined;
  /** The newest this many, still printed oldest first. @default all */
  readonly limit?: number | undefined;
}

/** Events oldest first. */
export async function readEvents(db: Queryable, schema: string, query: EventQuery = {}): Promise<EventRecord[]> {
  if ((await installedVersion(db, schema)) === 0) return [];
  const { rows } = await db.query<{
    id: string; at: Date; kind: string; migration_id: string | null; phase: Phase | null; detail: unknown;
  }>(
    `SELECT * FROM (
       SELECT id, at, kind, migration_id, phase, detail FROM ${quoteIdent(schema)}.events
        WHERE $1::text IS NULL OR migration_id = $1
        ORDER BY id DESC LIMIT $2
     ) newest ORDER BY id`,
    [query.migrationId ?? null, query.limit ?? null],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    kind: r.kind,
    migrationId: r.migration_id,
    phase: r.phase,
    detail: isRecord(r.detail) ? r.detail : {},
  }));
}

/** What a unit's committed steps cost: time and lock-wait retries. */
export interface StepStats {
  readonly migrationId: string;
  readonly phase: Phase;
  readonly stepsDone: number;
  /** Sum of the steps' run times. */
  readonly durationMs: number;
  /** Attempts beyond the first: each one waited out a lock timeout. */
  readonly lockRetries: number;
}

/** Per unit with at least one committed step. */
export async function readStepStats(db: Queryable, schema: string): Promise<StepStats[]> {
  return (await installedVersion(db, schema)) === 0 ? [] : readOne(db, stepStatsRead(schema));
}

/** What `readStepStats` reads, to send with other reads (readAll) where the state schema is known to be installed. */
export function stepStatsRead(schema: string): Read<StepStats[]> {
  return {
    sql: `SELECT migration_id, phase, count(*)::int AS steps, sum(duration_ms) AS duration_ms,
                 sum(greatest(attempts - 1, 0)) AS retries
            FROM ${quoteIdent(schema)}.steps GROUP BY migration_id, phase ORDER BY migration_id, phase`,
    map: (rows: readonly { migration_id: string; phase: Phase; steps: number; duration_ms: string; retries: string }[]) =>
      rows.map((r) => ({
        migrationId: r.migration_id,
        phase: r.phase,
        stepsDone: r.steps,
        durationMs: Number(r.duration_ms),
        lockRetries: Number(r.retries),
      })),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
