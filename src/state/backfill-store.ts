import { sqlState } from '../pg/index.js';
import { redactSecrets } from '../secrets.js';
import { quoteIdent, quoteLiteral, readOne, withTransaction, type Queryable, type Read } from './db.js';
import { changeWithEvent, recordEvent } from './events.js';
import type { EventKind } from './store.js';

/** A backfill's checkpoint and pacing as the engine last committed them. */
export interface BackfillRecord {
  readonly migrationId: string;
  /** The highest key when this pass started; null for an empty table. */
  readonly upperKey: readonly string[] | null;
  /** The last key of the last committed batch; null before the first. */
  readonly lastKey: readonly string[] | null;
  /** Rows the batches changed (those matching `where`). */
  readonly rowsDone: number;
  /** Keys the batches walked, for progress against the estimate. */
  readonly rowsScanned: number;
  readonly estimatedRows: number;
  readonly batches: number;
  /** The size of the last batch, which the next one starts from. */
  readonly batchSize: number | null;
  readonly lastBatchMs: number | null;
  readonly rowsPerSecond: number | null;
  /** 1 for the first pass; each verification that still counts rows starts another. */
  readonly pass: number;
  /** Why the backfill is waiting, for people; null when it is not. */
  readonly throttle: string | null;
  readonly throttledSince: Date | null;
  readonly startedAt: Date;
  readonly updatedAt: Date;
  readonly finishedAt: Date | null;
}

/** Whether `migrate pause` holds a backfill, and who said so. */
export interface BackfillControl {
  readonly paused: boolean;
  readonly changedBy: string | null;
  readonly changedAt: Date;
}

/** A batch's UPDATE and its key values, which `commitBatch` runs with the checkpoint. They arrive as text: the SQL casts each (`$1::bigint`), as backfill/batch-sql.ts writes it. */
export interface BatchUpdate {
  readonly sql: string;
  readonly params: readonly string[];
}

/** Where one batch moves the checkpoint. */
export interface BatchCheckpoint {
  readonly lastKey: readonly string[];
  /** Keys the batch walked; null for a range of key values, whose rows the UPDATE counts. */
  readonly rowsScanned: number | null;
  /** The size the batch was cut with, which a resumed run starts from. */
  readonly batchSize: number;
  /** Pacing as the runner measured it up to the batch before: a batch's own time is known only once it committed. */
  readonly lastBatchMs: number | null;
  readonly rowsPerSecond: number | null;
}

/** What the checkpoint's UPDATE returns: no row when the backfill's record is gone. */
interface CheckpointRow {
  rows_done: number;
  paused: boolean | null;
}

/** What a committed batch did. */
export interface CommittedBatch {
  readonly rowsDone: number;
  /** Round trips it took: 1 as one statement (2 when it made its function first), 4 as a transaction. */
  readonly roundTrips: number;
  /** `migrate pause` was set when the batch committed. */
  readonly paused: boolean;
}

interface BackfillRow {
  migration_id: string; upper_key: string[] | null; last_key: string[] | null; rows_done: string; rows_scanned: string;
  estimated_rows: string; batches: number; batch_size: number | null; last_batch_ms: number | null;
  rows_per_second: number | null; pass: number; throttle: string | null; throttled_since: Date | null;
  started_at: Date; updated_at: Date; finished_at: Date | null;
}

/**
 * The backfill engine's SQL against the state schema: checkpoints, pacing,
 * throttle reasons and pause flags. Like `StateStore`, it runs on whatever
 * client it gets: the runner's session, where a batch and its checkpoint
 * commit together (commitBatch).
 */
export class BackfillStore {
  readonly #db: Queryable;
  readonly #s: string;
  /** How many key values the batch function made on this session passes on to a batch; 0 before it is made (commitBatch). */
  #batchFunctionKeys = 0;
  /** The server refused to make a batch function (no TEMPORARY privilege, no PL/pgSQL): batches run as transactions. */
  #batchesInTransactions = false;

  constructor(db: Queryable, schema: string) {
    this.#db = db;
    this.#s = quoteIdent(schema);
  }

  async record(migrationId: string): Promise<BackfillRecord | undefined> {
    const { rows } = await this.#db.query<BackfillRow>(`SELECT * FROM ${this.#s}.backfills WHERE migration_id = $1`, [migrationId]);
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  }

  /**
   * A runner takes the backfill up again: the record, with the mark a stopped
   * run left cleared in the same statement (the engine says anew why it
   * waits, if it does); undefined before the first batch's pass started.
   */
  async resume(migrationId: string): Promise<BackfillRecord | undefined> {
    const { rows } = await this.#db.query<BackfillRow>(
      `UPDATE ${this.#s}.backfills SET throttle = NULL, throttled_since = NULL WHERE migration_id = $1 RETURNING *`,
      [migrationId],
    );
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  }

  /** Every backfill that has started, with its record; empty before the engine's tables exist. */
  async records(): Promise<BackfillRecord[]> {
    return (await this.#installed()) ? readOne(this.#db, this.recordsRead) : [];
  }

  /** What `records` reads, to send with other reads (readAll) where the engine's tables are known to exist. */
  get recordsRead(): Read<BackfillRecord[]> {
    return { sql: `SELECT * FROM ${this.#s}.backfills ORDER BY migration_id`, map: (rows: readonly BackfillRow[]) => rows.map(toRecord) };
  }

  /** Records the first pass's bounds and returns the record; undefined when a second runner racing here found the first one's (it is kept). */
  async start(migrationId: string, upperKey: readonly string[] | null, estimatedRows: number, batchSize: number): Promise<BackfillRecord | undefined> {
    const { rows } = await this.#db.query<BackfillRow>(
      `INSERT INTO ${this.#s}.backfills (migration_id, upper_key, estimated_rows, batch_size) VALUES ($1, $2, $3, $4)
       ON CONFLICT (migration_id) DO NOTHING RETURNING *`,
      [migrationId, JSON.stringify(upperKey), Math.round(estimatedRows), batchSize],
    );
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  }

  /**
   * Runs a batch's UPDATE and moves the checkpoint past it in one statement,
   * so both commit or neither, and reads the pause flag with the checkpoint:
   * one round trip, with the batch's row locks held only while the statement
   * runs on the server. The statement calls a function of the session's own
   * (see batchFunction); where the server refuses to make one, the batch
   * runs as BEGIN, the UPDATE, the checkpoint and COMMIT. Either way, when
   * the backfill's record is gone the batch rolls back.
   */
  async commitBatch(migrationId: string, update: BatchUpdate, batch: BatchCheckpoint): Promise<CommittedBatch> {
    const checkpoint = `
      UPDATE ${this.#s}.backfills
         SET last_key = $3::jsonb, rows_done = rows_done + $1::int, rows_scanned = rows_scanned + coalesce($4::bigint, $1::int),
             batches = batches + 1, batch_size = $5::int, last_batch_ms = $6::int, rows_per_second = $7::float8, updated_at = now()
       WHERE migration_id = $2
      RETURNING $1::int AS rows_done, (SELECT paused FROM ${this.#s}.backfill_controls c WHERE c.migration_id = $2) AS paused`;
    const values = [migrationId, JSON.stringify(batch.lastKey), batch.rowsScanned, batch.batchSize, batch.lastBatchMs === null ? null : Math.round(batch.lastBatchMs), batch.rowsPerSecond];
    const batchFunction = await this.#batchFunction(update.params.length, values.length);
    if (batchFunction !== undefined) {
      // The UPDATE is in the statement's text, so that pg_stat_activity and the server's log show which table the batch updates.
      const { rows } = await this.#db.query<CheckpointRow>(`SELECT rows_done, paused FROM ${batchFunction.name}(${quoteLiteral(update.sql)}, $1, $2, $3)`, [
        update.params,
        checkpoint,
        values,
      ]);
      return { rowsDone: rows[0]?.rows_done ?? 0, roundTrips: batchFunction.made ? 2 : 1, paused: rows[0]?.paused === true };
    }
    return withTransaction(this.#db, async () => {
      const { rowCount } = await this.#db.query(update.sql, update.params);
      const row = (await this.#db.query<CheckpointRow>(checkpoint, [rowCount ?? 0, ...values])).rows[0];
      if (row === undefined) throw new Error(VANISHED.replace('%', migrationId));
      return { rowsDone: row.rows_done, roundTrips: 4, paused: row.paused === true };
    });
  }

  /**
   * The function that commits a batch of up to `keyCount` key values and
   * a checkpoint of `checkpointValues` values ($2 on in its text; $1 is the
   * batch's row count), made on the first batch (`made`): undefined when the
   * server refuses. It lives in the
   * session's temporary schema, so it is the session's alone (nothing to
   * install or upgrade, nothing another role could change, gone with the
   * session). It runs the batch's UPDATE with its key values as parameters
   * (EXECUTE ... USING; values past the array's end are NULL, which the
   * UPDATE does not reference), counts the rows it changed, and runs the
   * checkpoint with that count, all within the statement that calls it. It
   * passes on twice the first batch's values: a pass's first batch has only
   * its upper key, the next ones a lower key too, so one function serves
   * them all. One statement could also be a data-modifying CTE, but its
   * RETURNING keeps a row per updated row (some 6% more work for PostgreSQL),
   * and PostgreSQL refuses it on a table with rules.
   */
  async #batchFunction(keyCount: number, checkpointValues: number): Promise<{ readonly name: string; readonly made: boolean } | undefined> {
    const name = (keys: number): string => `pg_temp.phasegate_commit_batch_${keys}`;
    if (this.#batchFunctionKeys > 0 && keyCount <= this.#batchFunctionKeys) return { name: name(this.#batchFunctionKeys), made: false };
    if (this.#batchesInTransactions) return undefined;
    const keys = 2 * Math.max(1, keyCount);
    const using = (array: string, count: number): string => Array.from({ length: count }, (_, i) => `${array}[${i + 1}]`).join(', ');
    try {
      await this.#db.query(`
        CREATE OR REPLACE FUNCTION ${name(keys)}(batch_sql text, key_values text[], checkpoint_sql text, checkpoint_values text[], OUT rows_done int, OUT paused boolean)
        LANGUAGE plpgsql AS $phasegate$
        DECLARE
          batch_rows int;
          recorded int;
        BEGIN
          EXECUTE batch_sql USING ${using('key_values', keys)};
          GET DIAGNOSTICS batch_rows = ROW_COUNT;
          EXECUTE checkpoint_sql INTO rows_done, paused USING batch_rows, ${using('checkpoint_values', checkpointValues)};
          GET DIAGNOSTICS recorded = ROW_COUNT;
          IF recorded = 0 THEN
            RAISE EXCEPTION '${VANISHED}', checkpoint_values[1];
          END IF;
        END
        $phasegate$`);
    } catch (error) {
      // A refusal (no TEMPORARY privilege on the database, no PL/pgSQL) is the server's answer; anything else is not.
      if (sqlState(error) === undefined) throw error;
      this.#batchesInTransactions = true;
      return undefined;
    }
    this.#batchFunctionKeys = keys;
    return { name: name(keys), made: true };
  }

  /** Starts another pass over the table, up to a fresh upper key, after verification still counted rows. */
  async startPass(migrationId: string, upperKey: readonly string[] | null, estimatedRows: number): Promise<void> {
    await this.#db.query(
      `UPDATE ${this.#s}.backfills SET pass = pass + 1, upper_key = $2, last_key = NULL, estimated_rows = $3, updated_at = now()
        WHERE migration_id = $1`,
      [migrationId, JSON.stringify(upperKey), Math.round(estimatedRows)],
    );
  }

  /** Says why the backfill waits (null: it goes on). `throttled_since` keeps the start of the current wait. */
  async setThrottle(migrationId: string, reason: string | null): Promise<void> {
    await this.#db.query(
      `UPDATE ${this.#s}.backfills
          SET throttled_since = CASE WHEN $2::text IS NULL THEN NULL ELSE coalesce(throttled_since, now()) END, throttle = $2
        WHERE migration_id = $1`,
      [migrationId, reason === null ? null : redactSecrets(reason)],
    );
  }

  async finish(migrationId: string): Promise<void> {
    await this.#db.query(
      `UPDATE ${this.#s}.backfills SET finished_at = now(), throttle = NULL, throttled_since = NULL, updated_at = now() WHERE migration_id = $1`,
      [migrationId],
    );
  }

  async control(migrationId: string): Promise<BackfillControl | undefined> {
    const { rows } = await this.#db.query<{ paused: boolean; changed_by: string | null; changed_at: Date }>(
      `SELECT paused, changed_by, changed_at FROM ${this.#s}.backfill_controls WHERE migration_id = $1`,
      [migrationId],
    );
    const row = rows[0];
    return row === undefined ? undefined : { paused: row.paused, changedBy: row.changed_by, changedAt: row.changed_at };
  }

  /** Every pause flag ever set, by migration id; empty before the engine's tables exist. */
  async controls(): Promise<Map<string, BackfillControl>> {
    return (await this.#installed()) ? readOne(this.#db, this.controlsRead) : new Map();
  }

  /** What `controls` reads, to send with other reads (readAll) where the engine's tables are known to exist. */
  get controlsRead(): Read<Map<string, BackfillControl>> {
    return {
      sql: `SELECT * FROM ${this.#s}.backfill_controls`,
      map: (rows: readonly { migration_id: string; paused: boolean; changed_by: string | null; changed_at: Date }[]) =>
        new Map(rows.map((r) => [r.migration_id, { paused: r.paused, changedBy: r.changed_by, changedAt: r.changed_at }])),
    };
  }

  /** Pauses or resumes a backfill; a runner sees it after its batch in flight. */
  async setPaused(migrationId: string, paused: boolean, by: string | null): Promise<void> {
    await changeWithEvent(
      this.#db,
      this.#s,
      [
        `INSERT INTO ${this.#s}.backfill_controls (migration_id, paused, changed_by) VALUES ($1, $2, $3)
         ON CONFLICT (migration_id) DO UPDATE SET paused = $2, changed_by = $3, changed_at = now()`,
      ],
      [migrationId, paused, by],
      { kind: paused ? 'backfillPaused' : 'backfillResumed', migrationId, phase: 'backfill', detail: { by } },
    );
  }

  /** Puts a backfill event (a pause, a throttle starting or ending) in the event log. */
  async recordEvent(kind: Extract<EventKind, `backfill${string}`>, migrationId: string, detail: object): Promise<void> {
    await recordEvent(this.#db, this.#s, { kind, migrationId, phase: 'backfill', detail });
  }

  /** Read-only commands must not fail on a state schema older than the engine's tables. */
  async #installed(): Promise<boolean> {
    const { rows } = await this.#db.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [`${this.#s}.backfill_controls`]);
    return rows[0]?.ok === true;
  }
}

function toRecord(r: BackfillRow): BackfillRecord {
  return {
    migrationId: r.migration_id,
    upperKey: r.upper_key,
    lastKey: r.last_key,
    rowsDone: Number(r.rows_done),
    rowsScanned: Number(r.rows_scanned),
    estimatedRows: Number(r.estimated_rows),
    batches: r.batches,
    batchSize: r.batch_size,
    lastBatchMs: r.last_batch_ms,
    rowsPerSecond: r.rows_per_second,
    pass: r.pass,
    throttle: r.throttle,
    throttledSince: r.throttled_since,
    startedAt: r.started_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}

/**
 * Why a batch failed when its backfill's record is gone (`%`: the migration).
 * `forget` takes the runner lock the runner holds: only someone editing the
 * state by hand gets here. No quote in it: the batch function raises it as is.
 */
const VANISHED = 'the backfill record of % vanished while its batch ran; the batch rolled back';
