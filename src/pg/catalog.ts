import { PhasegateError } from '../errors.js';
import type { Queryable } from './queryable.js';
import { sqlState } from './sqlstate.js';
import { setConfig } from './timeouts.js';

/** The server's version: its text (`15.4`) and major number (15), which decides what some DDL costs. */
export interface ServerVersion {
  readonly text: string;
  readonly major: number;
}

/** Reads the server version once; callers keep it for the run. */
export async function serverVersion(db: Queryable): Promise<ServerVersion> {
  const { rows } = await db.query<{ text: string; num: string }>(
    `SELECT current_setting('server_version') AS text, current_setting('server_version_num') AS num`,
  );
  const row = rows[0];
  return { text: row?.text ?? 'unknown', major: Math.floor(Number(row?.num ?? 0) / 10_000) };
}

/** A relation name as PostgreSQL reads it: exact parts (folded and unquoted), the schema only when written. */
export interface RelationRef {
  readonly schema?: string;
  readonly name: string;
}

/** A relation found in the catalog. `quoted` is the only form later SQL uses. */
export interface ResolvedRelation {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  /** `"schema"."name"`, quoted by the server's own format('%I.%I'). */
  readonly quoted: string;
}

/** The SQLSTATE parse_ident raises for text that is not an identifier chain. */
const INVALID_PARAMETER_VALUE = '22023';

/** Resolves a ref exactly: each part quoted, so no case folding; an unqualified name follows search_path. */
const REGCLASS_OF_REF = `to_regclass(CASE WHEN r.schema IS NULL THEN quote_ident(r.name) ELSE quote_ident(r.schema) || '.' || quote_ident(r.name) END)`;

/** Finds each relation in one query, in order; null for one that does not exist. */
export async function resolveRelations(db: Queryable, refs: readonly RelationRef[]): Promise<(ResolvedRelation | null)[]> {
  if (refs.length === 0) return [];
  const { rows } = await db.query<RelationRow>(
    `SELECT ${RELATION_COLUMNS}
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(schema, name, ord)
       LEFT JOIN pg_class c ON c.oid = ${REGCLASS_OF_REF}
       LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
      ORDER BY r.ord`,
    [refs.map((r) => r.schema ?? null), refs.map((r) => r.name)],
  );
  return rows.map(resolvedOf);
}

/** A catalog row of RELATION_COLUMNS: the relation, or null where none was found. */
type RelationRow = { oid: number | null; schema: string | null; name: string | null; quoted: string | null };

const RELATION_COLUMNS = `c.oid, n.nspname AS schema, c.relname AS name,
            CASE WHEN c.oid IS NOT NULL THEN format('%I.%I', n.nspname, c.relname) END AS quoted`;

function resolvedOf(r: RelationRow | undefined): ResolvedRelation | null {
  return r === undefined || r.oid === null || r.schema === null || r.name === null || r.quoted === null
    ? null
    : { oid: r.oid, schema: r.schema, name: r.name, quoted: r.quoted };
}

/** A relation's size as the catalog reports it, with the planner's row estimate (never analyzed reads as 0). */
export interface RelationSize {
  readonly bytes: number;
  readonly tableBytes: number;
  readonly indexBytes: number;
  readonly rows: number;
  readonly indexes: readonly { readonly name: string; readonly bytes: number }[];
}

/** Sizes of the given relations by OID, in one query; a relation dropped meanwhile is absent. */
export async function relationSizes(db: Queryable, oids: readonly number[]): Promise<Map<number, RelationSize>> {
  if (oids.length === 0) return new Map();
  const { rows } = await db.query<{ oid: number; total: string; heap: string; idx: string; rows: number; indexes: { name: string; bytes: string }[] }>(
    `SELECT c.oid, pg_total_relation_size(c.oid) AS total, pg_relation_size(c.oid) AS heap, pg_indexes_size(c.oid) AS idx,
            greatest(c.reltuples, 0)::float8 AS rows,
            (SELECT coalesce(json_agg(json_build_object('name', i.indexrelid::regclass::text, 'bytes', pg_relation_size(i.indexrelid)::text)
                                      ORDER BY i.indexrelid::regclass::text), '[]')
               FROM pg_index i WHERE i.indrelid = c.oid) AS indexes
       FROM pg_class c WHERE c.oid = ANY($1::oid[])`,
    [oids],
  );
  return new Map(
    rows.map((r) => [
      r.oid,
      { bytes: Number(r.total), tableBytes: Number(r.heap), indexBytes: Number(r.idx), rows: r.rows, indexes: r.indexes.map((i) => ({ name: i.name, bytes: Number(i.bytes) })) },
    ]),
  );
}

/** An index found by name, and whether a build finished it. */
export interface IndexValidity {
  readonly quoted: string;
  readonly valid: boolean;
}

/** The index of exactly this name (see RelationRef), or null when there is none. */
export async function indexValidity(db: Queryable, ref: RelationRef): Promise<IndexValidity | null> {
  const { rows } = await db.query<IndexValidity>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS quoted, i.indisvalid AS valid
       FROM (SELECT $1::text AS schema, $2::text AS name) AS r
       JOIN pg_index i ON i.indexrelid = ${REGCLASS_OF_REF}
       JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace`,
    [ref.schema ?? null, ref.name],
  );
  return rows[0] ?? null;
}

/** One column of a batch key. */
export interface KeyColumn {
  readonly name: string;
  /** The column's type as format_type spells it (`double precision`, `character varying(20)`): keys bind as `$n::<type>`. */
  readonly type: string;
}

/** The columns batches walk, and the unique index that orders them. */
export interface BatchKey {
  readonly index: string;
  readonly isPrimary: boolean;
  readonly columns: readonly KeyColumn[];
}

/**
 * The key batches are cut on: the primary key, else the narrowest unique,
 * non-partial index on plain NOT NULL columns (a NULL or duplicate key would
 * let rows fall between two batches or into two); ties go to the oldest
 * index. A key is safe when each column uses its type's default btree
 * operator class and a deterministic collation that is the column's own: the
 * row comparisons batches use then follow the index order exactly. Refuses a
 * table with no safe key, naming why.
 */
export async function batchKeyFor(db: Queryable, table: ResolvedRelation): Promise<BatchKey> {
  const { rows } = await db.query<{ index: string; is_primary: boolean; columns: string[]; types: string[]; unsafe: string | null }>(
    `SELECT i.indexrelid::regclass::text AS index, i.indisprimary AS is_primary,
            array_agg(a.attname::text ORDER BY k.ord) AS columns,
            array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY k.ord) AS types,
            min(CASE
                  WHEN am.amname <> 'btree' OR NOT opc.opcdefault
                    THEN format('column %I uses operator class %s, not the default btree order of %s', a.attname, opc.opcname, format_type(a.atttypid, NULL))
                  WHEN k.coll <> 0 AND k.coll <> a.attcollation
                    THEN format('column %I is indexed with collation %s, not its own', a.attname, co.collname)
                  WHEN k.coll <> 0 AND NOT co.collisdeterministic
                    THEN format('column %I has the nondeterministic collation %s: distinct keys can compare equal', a.attname, co.collname)
                END) AS unsafe
       FROM pg_index i
       JOIN LATERAL unnest(i.indkey::int2[], i.indclass::oid[], i.indcollation::oid[]) WITH ORDINALITY AS k(attnum, opclass, coll, ord)
         ON k.ord <= i.indnkeyatts
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
       JOIN pg_opclass opc ON opc.oid = k.opclass
       JOIN pg_am am ON am.oid = opc.opcmethod
       LEFT JOIN pg_collation co ON co.oid = k.coll
      WHERE i.indrelid = $1 AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
      GROUP BY i.indexrelid, i.indisprimary
     HAVING bool_and(a.attnotnull)
      ORDER BY i.indisprimary DESC, count(*), i.indexrelid`,
    [table.oid],
  );
  const key = rows.find((r) => r.unsafe === null) ?? rows[0];
  if (key === undefined) {
    throw new PhasegateError('REFUSED', `backfill table ${table.quoted} has no primary key and no unique index on NOT NULL columns`, {
      hint: 'batches walk a unique key in order; add a primary key (CREATE UNIQUE INDEX CONCURRENTLY, then ADD PRIMARY KEY USING INDEX) in an earlier phase',
    });
  }
  if (key.unsafe !== null) {
    throw new PhasegateError('REFUSED', `backfill table ${table.quoted}: its key ${key.index} has no safe total order for batches: ${key.unsafe}`, {
      hint: 'add a unique index on NOT NULL columns with their default operator class and collation (CREATE UNIQUE INDEX CONCURRENTLY) in an earlier phase',
    });
  }
  return { index: key.index, isPrimary: key.is_primary, columns: key.columns.map((name, i) => ({ name, type: key.types[i] ?? 'text' })) };
}

/**
 * Every setting that changes how key values print, pinned so that a key read
 * as text parses back to exactly the same value (a role's
 * `extra_float_digits = 0` once rounded float keys and the batches never
 * advanced). Keys are stored as text in the state tables and must mean the
 * same in the next session, whatever its settings.
 */
export const EXACT_KEY_TEXT: Readonly<Record<string, string>> = {
  extra_float_digits: '3',
  DateStyle: 'ISO, YMD',
  IntervalStyle: 'postgres',
  TimeZone: 'UTC',
  bytea_output: 'hex',
  lc_monetary: 'C',
};

/** EXACT_KEY_TEXT for the current transaction only. */
export async function pinExactKeyText(db: Queryable): Promise<void> {
  await setConfig(db, EXACT_KEY_TEXT, true);
}

/** A user-written name read and looked up: `relation` is null when nothing of that name exists. */
export interface NameLookup {
  readonly ref: RelationRef;
  readonly relation: ResolvedRelation | null;
}

/**
 * The one way a name a person wrote is found, in one round trip: read with
 * PostgreSQL's own rules (parse_ident: `Users` is `users`, `"Users"` stays,
 * `"my.table"` is one name), then resolved as resolveRelations resolves a
 * ref. Throws INVALID_MIGRATION naming `subject` when it is not a
 * `[schema.]name`.
 */
export async function lookupRelationName(db: Queryable, text: string, subject: string): Promise<NameLookup> {
  const invalid = (why: string, cause?: unknown): PhasegateError =>
    new PhasegateError('INVALID_MIGRATION', `${subject}: ${JSON.stringify(text)} is not a relation name (${why})`, {
      hint: 'write it as in SQL: users, app.users, "Users" or "app"."my.table"',
      cause,
    });
  // parse_ident fails on bad syntax (invalid_parameter_value); outside a transaction that ends only this
  // statement. Any other failure (a lost connection, a timeout) is not the name's fault and goes up as it is.
  const { rows } = await db
    .query<RelationRow & { parts: string[] }>(
      `SELECT r.parts, ${RELATION_COLUMNS}
         FROM (SELECT parts, CASE WHEN cardinality(parts) = 2 THEN parts[1] END AS schema, parts[cardinality(parts)] AS name
                 FROM parse_ident($1) AS parts) AS r
         LEFT JOIN pg_class c ON cardinality(r.parts) <= 2 AND c.oid = ${REGCLASS_OF_REF}
         LEFT JOIN pg_namespace n ON n.oid = c.relnamespace`,
      [text],
    )
    .catch((error: unknown) => {
      throw error instanceof Error && sqlState(error) === INVALID_PARAMETER_VALUE ? invalid(error.message, error) : error;
    });
  const [first, second, ...more] = rows[0]?.parts ?? [];
  if (first === undefined || more.length > 0) throw invalid('expected name or schema.name');
  return { ref: second === undefined ? { name: first } : { schema: first, name: second }, relation: resolvedOf(rows[0]) };
}

/** Whether a table has a live column of exactly this name. */
export async function tableHasColumn(db: Queryable, oid: number, column: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM pg_attribute WHERE attrelid = $1 AND attname = $2 AND attnum > 0 AND NOT attisdropped', [oid, column]);
  return rows.length > 0;
}
