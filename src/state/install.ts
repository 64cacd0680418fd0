import { PhasegateError } from '../errors.js';
import { sqlState } from '../pg/index.js';
import { quoteIdent, withTransaction, type Queryable } from './db.js';
import { runnerHeartbeatTable } from './runner-heartbeat.js';

/**
 * The state schema's own migrations, applied in order by `ensureStateSchema`.
 * Append only: an installed database records how many it has applied.
 */
const STATE_MIGRATIONS: readonly ((s: string) => string)[] = [
  (s) => `
    CREATE TABLE ${s}.migrations (
      id text PRIMARY KEY,
      fingerprints jsonb NOT NULL,
      first_run_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE ${s}.units (
      migration_id text NOT NULL,
      phase text NOT NULL,
      state text NOT NULL CHECK (state IN ('running', 'done', 'failed', 'rolledBack')),
      started_at timestamptz,
      finished_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      PRIMARY KEY (migration_id, phase)
    );
    CREATE TABLE ${s}.steps (
      migration_id text NOT NULL,
      phase text NOT NULL,
      step_index integer NOT NULL,
      finished_at timestamptz NOT NULL DEFAULT now(),
      duration_ms integer NOT NULL,
      attempts integer NOT NULL,
      PRIMARY KEY (migration_id, phase, step_index)
    );
    CREATE TABLE ${s}.backfills (
      migration_id text PRIMARY KEY,
      upper_key jsonb,
      last_key jsonb,
      rows_done bigint NOT NULL DEFAULT 0,
      batches integer NOT NULL DEFAULT 0,
      started_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    );
    CREATE TABLE ${s}.markers (
      id bigserial PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('marker', 'deploy')),
      name text,
      app text,
      version text,
      recorded_by text,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((kind = 'marker') = (name IS NOT NULL)),
      CHECK ((kind = 'deploy') = (app IS NOT NULL AND version IS NOT NULL))
    );
    CREATE TABLE ${s}.approvals (
      migration_id text NOT NULL,
      phase text NOT NULL,
      approved_by text NOT NULL,
      approved_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (migration_id, phase)
    );
    CREATE TABLE ${s}.events (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      kind text NOT NULL,
      migration_id text,
      phase text,
      detail jsonb NOT NULL DEFAULT '{}'
    );`,
  // The backfill engine: pacing and progress beside each checkpoint, and a
  // separate control row so `migrate pause` works before a backfill starts.
  (s) => `
    ALTER TABLE ${s}.backfills
      ADD COLUMN rows_scanned bigint NOT NULL DEFAULT 0,
      ADD COLUMN estimated_rows bigint NOT NULL DEFAULT 0,
      ADD COLUMN batch_size integer,
      ADD COLUMN last_batch_ms integer,
      ADD COLUMN rows_per_second double precision,
      ADD COLUMN pass integer NOT NULL DEFAULT 1,
      ADD COLUMN throttle text,
      ADD COLUMN throttled_since timestamptz;
    CREATE TABLE ${s}.backfill_controls (
      migration_id text PRIMARY KEY,
      paused boolean NOT NULL,
      changed_by text,
      changed_at timestamptz NOT NULL DEFAULT now()
    );`,
  // Fingerprints of the parse trees beside the raw ones: a raw mismatch is
  // judged on these, so whitespace, comments and knobs are not edits.
  (s) => `ALTER TABLE ${s}.migrations ADD COLUMN normalized_fingerprints jsonb;`,
  // The runner's heartbeat, so `status` can tell a frozen runner from a busy one.
  runnerHeartbeatTable,
];

/** The version an up-to-date state schema has. */
export const STATE_SCHEMA_VERSION = STATE_MIGRATIONS.length;

/**
 * Creates or upgrades the state schema. Safe to call from many processes at
 * once: installers queue on a session-level advisory lock, and each one's
 * transaction begins only once it holds the lock, after the previous
 * installer committed. A transaction that began earlier would look names up
 * in a catalog cache from before that commit (PostgreSQL refreshes it when a
 * transaction begins), miss the new schema and tables, and collide with them
 * in CREATE ... IF NOT EXISTS. Each upgrade commits with the version it brings.
 * @throws PhasegateError (STATE_INVALID) for a newer or damaged state schema.
 */
export async function ensureStateSchema(db: Queryable, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  const current = await installedVersion(db, schema);
  if (current === STATE_SCHEMA_VERSION) return;
  const lockKey = [installLockKey(schema)];
  await db.query('SELECT pg_advisory_lock(hashtext($1))', lockKey);
  try {
    await withTransaction(db, async () => {
      await db.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await db.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_version (version integer NOT NULL)`);
      // Read again under the installer lock: another process may have upgraded meanwhile.
      const applied = await installedVersion(db, schema);
      // The row goes in first, so that even this session, mid-install, never sees tables without a version.
      if (applied === 0) await db.query(`INSERT INTO ${s}.schema_version VALUES (0)`);
      for (const migration of STATE_MIGRATIONS.slice(applied)) await db.query(migration(s));
      await db.query(`UPDATE ${s}.schema_version SET version = $1`, [STATE_SCHEMA_VERSION]);
    });
  } finally {
    // Released when the session ends in any case; a failed release must not hide the install's own error.
    await db.query('SELECT pg_advisory_unlock(hashtext($1))', lockKey).catch(() => undefined);
  }
}

/**
 * The installed state schema version, 0 when phasegate never ran here.
 * @throws PhasegateError (STATE_INVALID) when the schema is newer than this
 * phasegate, or its version row is missing while its tables exist: guessing
 * would re-run upgrades over existing tables or misread newer rows.
 */
export async function installedVersion(db: Queryable, schema: string): Promise<number> {
  const outside = outsideTransaction(db);
  const direct = outside ? await versionOfInstalled(db, schema) : undefined;
  if (direct !== undefined) return direct;
  // One scan of the catalog under the statement's snapshot: another session's install shows whole or not at all.
  // (Name lookups such as to_regclass go through the session's catalog cache; see versionRows.)
  const { rows } = await db.query<{ versioned: boolean; tables: boolean }>(
    `SELECT coalesce(bool_or(c.relname = 'schema_version'), false) AS versioned, coalesce(bool_or(c.relname = 'migrations'), false) AS tables
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname IN ('schema_version', 'migrations')`,
    [schema],
  );
  const found = rows[0];
  if (found?.versioned !== true) {
    if (found?.tables === true) throw missingVersion(schema, 'has no schema_version table');
    return 0;
  }
  const versions = await versionRows(db, schema, outside);
  const [row, extra] = versions;
  // Empty with no other tables: this very session is installing, between CREATE TABLE and its first row.
  if (row === undefined) {
    if (found.tables) throw missingVersion(schema, 'has no row in schema_version');
    return 0;
  }
  if (extra !== undefined) throw missingVersion(schema, `has ${versions.length} rows in schema_version instead of one`);
  return understood(schema, row.version);
}

/** The lock installers queue on (ensureStateSchema), by schema. */
function installLockKey(schema: string): string {
  return `phasegate-install:${schema}`;
}

/**
 * The rows of a schema_version table the catalog shows. This session may
 * still not find it by name: PostgreSQL refreshes a session's catalog cache
 * from messages a committing transaction sends after its commit is already
 * visible, so a session that looked for the table before (the one-statement
 * read) can miss it for a moment. The installer lets go of its lock only once
 * its COMMIT has returned, so waiting for that lock (outside a transaction,
 * where a failed statement aborts nothing) and reading again finds it.
 */
async function versionRows(db: Queryable, schema: string, canWait: boolean): Promise<VersionRow[]> {
  const read = async (): Promise<VersionRow[]> => (await db.query<VersionRow>(versionRead(schema))).rows;
  if (!canWait) return read();
  const rows = await versionRowsIfFound(db, schema);
  if (rows !== undefined) return rows;
  await db.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', [installLockKey(schema)]);
  return read();
}

interface VersionRow {
  readonly version: number;
}

/** The read of schema_version's rows. */
function versionRead(schema: string): string {
  return `SELECT version FROM ${quoteIdent(schema)}.schema_version`;
}

/**
 * schema_version's rows; undefined when this session finds no such table.
 * That fails the statement, so only outside a transaction.
 */
async function versionRowsIfFound(db: Queryable, schema: string): Promise<VersionRow[] | undefined> {
  return db.query<VersionRow>(versionRead(schema)).then(
    (result) => result.rows,
    (error: unknown) => {
      if (NO_SUCH_TABLE.has(sqlState(error) ?? '')) return undefined;
      throw error;
    },
  );
}

/** SQLSTATEs of a table that is not there: undefined_table, and invalid_schema_name for its schema. */
const NO_SUCH_TABLE = new Set(['42P01', '3F000']);

/**
 * Whether `db` is a single connection that says no transaction is open (a
 * pg client, phasegate's own session): there a failed statement aborts
 * nothing. A pool, or a client inside a transaction, cannot take the risk.
 */
function outsideTransaction(db: Queryable): boolean {
  const status = (db as { getTransactionStatus?: () => unknown }).getTransactionStatus;
  return typeof status === 'function' && status.call(db) === 'I';
}

/**
 * The version of an installed state schema in one statement, the case of
 * every command after the first: undefined when that read cannot tell (no
 * table, or not exactly one row), for installedVersion to find out why. A
 * missing table fails the statement, so only outside a transaction; until
 * the state schema is installed, the server logs that error once a command.
 */
async function versionOfInstalled(db: Queryable, schema: string): Promise<number | undefined> {
  const [row, extra] = (await versionRowsIfFound(db, schema)) ?? [];
  return row === undefined || extra !== undefined ? undefined : understood(schema, row.version);
}

/** A version this phasegate can read and upgrade from. */
function understood(schema: string, version: number): number {
  if (version > STATE_SCHEMA_VERSION) {
    throw new PhasegateError(
      'STATE_INVALID',
      `state schema "${schema}" is at version ${version}, newer than this phasegate understands (version ${STATE_SCHEMA_VERSION})`,
      { hint: 'run the phasegate version that upgraded it (or a newer one); an older one would misread its records' },
    );
  }
  return version;
}

function missingVersion(schema: string, what: string): PhasegateError {
  const s = quoteIdent(schema);
  return new PhasegateError('STATE_INVALID', `state schema "${schema}" ${what}, so its version is unknown`, {
    hint:
      `if this phasegate installed it, restore the row: DELETE FROM ${s}.schema_version; INSERT INTO ${s}.schema_version VALUES (${STATE_SCHEMA_VERSION}) ` +
      `(an older install has fewer upgrades: 2 when ${s}.migrations has no normalized_fingerprints column, 3 when there is no ${s}.runner table)`,
  });
}
