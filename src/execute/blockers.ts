import type { LockLevel, RelationLock } from '../analysis/index.js';
import { resolveRelations, type Queryable } from '../pg/index.js';
import { redactSecrets } from '../secrets.js';
import { conflictingModes } from './lock-conflicts.js';

/** A lock a step will take, on a relation found in the catalog: looked up by OID from then on. */
export interface ResolvedLock {
  readonly oid: number;
  /** The quoted name, for messages. */
  readonly relation: string;
  readonly level: LockLevel;
}

/**
 * Finds the relations a step locks, once, before it runs. One that does not
 * exist yet (the step creates it) is left out: nobody can hold a lock on it.
 */
export async function resolveLocks(db: Queryable, locks: readonly RelationLock[]): Promise<ResolvedLock[]> {
  const found = await resolveRelations(db, locks.map((l) => l.name));
  return locks.flatMap((lock, i) => {
    const relation = found[i];
    return relation === null || relation === undefined ? [] : [{ oid: relation.oid, relation: relation.quoted, level: lock.level }];
  });
}

/** Another session, described the way a DBA needs to act on it. */
export interface Blocker {
  readonly pid: number;
  readonly applicationName: string;
  readonly state: string;
  readonly transactionAgeMs: number;
  readonly query: string;
  /** The relation it holds a conflicting lock on, when that is why it is listed. */
  readonly relation: string | null;
  readonly mode: string | null;
}

const BLOCKER_COLUMNS = `a.pid, a.application_name, coalesce(a.state, '') AS state,
  coalesce(extract(epoch FROM now() - a.xact_start) * 1000, 0)::float8 AS age_ms, coalesce(a.query, '') AS query`;

/** How much of a blocker's query text is kept, cut only after redaction so no cut password literal escapes it. */
const QUERY_CHARS = 200;

/** Sessions that hold a lock conflicting with what the step needs on each relation, in one query. */
export async function conflictingHolders(db: Queryable, locks: readonly ResolvedLock[]): Promise<Blocker[]> {
  if (locks.length === 0) return [];
  const { rows } = await db.query<BlockerRow & { relation: string }>(
    `SELECT DISTINCT ${BLOCKER_COLUMNS}, l.mode, r.relation
       FROM unnest($3::oid[], $1::text[], $2::text[]) AS r(oid, relation, modes)
       JOIN pg_locks l ON l.relation = r.oid AND l.mode = ANY(string_to_array(r.modes, ','))
       JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.granted AND l.pid <> pg_backend_pid()`,
    [locks.map((l) => l.relation), locks.map((l) => conflictingModes(l.level).join(',')), locks.map((l) => l.oid)],
  );
  return rows.map((r) => toBlocker(r, r.relation));
}

/** Transactions in this database open longer than `olderThanMs`: they hold back lock queues and vacuum. */
export async function longTransactions(db: Queryable, olderThanMs: number): Promise<Blocker[]> {
  const { rows } = await db.query<BlockerRow>(
    `SELECT ${BLOCKER_COLUMNS}, NULL AS mode
       FROM pg_stat_activity a
      WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
        AND a.xact_start < now() - make_interval(secs => $1 / 1000.0)
      ORDER BY a.xact_start`,
    [olderThanMs],
  );
  return rows.map((r) => toBlocker(r, null));
}

/** "pid 123 (app psql, idle in transaction, transaction open 42s): SELECT ..." */
export function describeBlocker(b: Blocker): string {
  const held = b.relation === null ? '' : ` holding ${b.mode} on ${b.relation}`;
  return `pid ${b.pid} (application_name "${b.applicationName}", ${b.state}, transaction open ${Math.round(b.transactionAgeMs / 1000)}s${held}): ${b.query.replace(/\s+/g, ' ')}`;
}

interface BlockerRow {
  pid: number;
  application_name: string;
  state: string;
  age_ms: number;
  query: string;
  mode: string | null;
}

function toBlocker(r: BlockerRow, relation: string | null): Blocker {
  return { pid: r.pid, applicationName: r.application_name, state: r.state, transactionAgeMs: r.age_ms, query: redactSecrets(r.query).slice(0, QUERY_CHARS), relation, mode: r.mode };
}
