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
  // The runner's heartbeat, so `status` can tell a frozen runner from a busy one.
  runnerHeartbeatTable,
];

/** The version an up-to-date state schema has. */
export const STATE_SCHEMA_VERSION = STATE_MIGRATIONS.length;

/**
 * Creates or upgrades the state schema. Safe to call from many processes at
 * once: a transaction-level advisory lock serialises installers, and each
 * upgrade commits with the version it brings.
 */
export async function ensureStateSchema(db: Queryable, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  const current = await installedVersion(db, schema);
  if (current === STATE_SCHEMA_VERSION) return;
  await withTransaction(db, async () => {
    await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`phasegate-install:${schema}`]);
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await db.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_version (version integer NOT NULL)`);
    const { rows } = await db.query<{ version: number }>(`SELECT version FROM ${s}.schema_version`);
    const applied = rows[0]?.version ?? 0;
    if (applied > STATE_SCHEMA_VERSION) return;
    for (const migration of STATE_MIGRATIONS.slice(applied)) await db.query(migration(s));
    if (rows.length === 0) await db.query(`INSERT INTO ${s}.schema_version VALUES ($1)`, [STATE_SCHEMA_VERSION]);
    else await db.query(`UPDATE ${s}.schema_version SET version = $1`, [STATE_SCHEMA_VERSION]);
  });
}

/** The installed state schema version, 0 when phasegate never ran here. */
export async function installedVersion(db: Queryable, schema: string): Promise<number> {
  const { rows } = await db.query<{ exists: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AS exists`,
    [`${quoteIdent(schema)}.schema_version`],
  );
  if (rows[0]?.exists !== true) return 0;
  const version = await db.query<{ version: number }>(`SELECT version FROM ${quoteIdent(schema)}.schema_version`);
  return version.rows[0]?.version ?? 0;
}
