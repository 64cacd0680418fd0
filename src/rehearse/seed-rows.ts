import { PhasegateError } from '../errors.js';
import { quoteIdent, type Queryable } from '../state/index.js';

interface Column {
  readonly name: string;
  readonly type: string;
  readonly category: string;
  readonly isEnum: boolean;
  /** "schema.table" and key column this column references, if it is a single-column foreign key. */
  readonly references: { readonly table: string; readonly column: string } | null;
}

/**
 * Fills every user table the setup left empty with `rows` generated rows,
 * parents before children, so lock and rewrite timings mean something.
 * Columns with a default (serials included) keep it; foreign keys point
 * at existing parent rows.
 */
export async function seedEmptyTables(db: Queryable, stateSchema: string, rows: number): Promise<string[]> {
  const { rows: tables } = await db.query<{ name: string; parents: string[] }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name,
            coalesce(array_agg(DISTINCT format('%I.%I', pn.nspname, p.relname)) FILTER (WHERE p.oid IS NOT NULL AND p.oid <> c.oid), '{}') AS parents
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_constraint f ON f.conrelid = c.oid AND f.contype = 'f'
       LEFT JOIN pg_class p ON p.oid = f.confrelid
       LEFT JOIN pg_namespace pn ON pn.oid = p.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname <> ALL ($1::text[]) AND n.nspname NOT LIKE 'pg\\_%'
      GROUP BY 1`,
    [['information_schema', stateSchema]],
  );
  const seeded: string[] = [];
  const done = new Set<string>();
  const pending = new Map(tables.map((t) => [t.name, t.parents]));
  while (pending.size > 0) {
    // Parents first; a cycle is broken by taking any table left.
    const [name] = [...pending].find(([, parents]) => parents.every((p) => done.has(p) || !pending.has(p))) ?? [...pending][0] ?? [];
    if (name === undefined) break;
    pending.delete(name);
    done.add(name);
    const { rows: empty } = await db.query<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM ${name}) AS empty`);
    if (empty[0]?.empty !== true) continue;
    try {
      await db.query(await insertSql(db, name, rows));
      await db.query(`ANALYZE ${name}`);
    } catch (error) {
      throw new PhasegateError('USAGE', `--rows: cannot generate rows for ${name}: ${(error as Error).message}`, {
        hint: 'seed this table in a --setup file instead',
        cause: error,
      });
    }
    seeded.push(name);
  }
  return seeded;
}

async function insertSql(db: Queryable, table: string, rows: number): Promise<string> {
  const { rows: columns } = await db.query<Column & { refTable: string | null; refColumn: string | null }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, t.typcategory AS category, t.typtype = 'e' AS "isEnum",
            f.confrelid::regclass::text AS "refTable", rc.attname AS "refColumn"
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       LEFT JOIN pg_constraint f ON f.conrelid = a.attrelid AND f.contype = 'f' AND f.conkey = ARRAY[a.attnum]
       LEFT JOIN pg_attribute rc ON rc.attrelid = f.confrelid AND rc.attnum = f.confkey[1]
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
        AND a.attgenerated = '' AND a.attidentity = '' AND d.adnum IS NULL
      ORDER BY a.attnum`,
    [table],
  );
  const names: string[] = [];
  const values: string[] = [];
  const joins: string[] = [];
  for (const [i, c] of columns.entries()) {
    names.push(quoteIdent(c.name));
    if (c.refTable !== null && c.refColumn !== null) {
      const alias = `p${i}`;
      const { rows: count } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${c.refTable}`);
      // Row k of the parent, by key order; the count as a literal lets this be a hash join.
      joins.push(
        `JOIN (SELECT ${quoteIdent(c.refColumn)} AS k, row_number() OVER (ORDER BY ${quoteIdent(c.refColumn)}) - 1 AS rn FROM ${c.refTable}) ${alias} ON ${alias}.rn = (g - 1) % ${Math.max(1, Number(count[0]?.n ?? 1))}`,
      );
      values.push(`${alias}.k`);
    } else values.push(generator(c, 'g'));
  }
  if (names.length === 0) return `INSERT INTO ${table} SELECT FROM generate_series(1, ${rows}) g`;
  return `INSERT INTO ${table} (${names.join(', ')}) SELECT ${values.join(', ')} FROM generate_series(1, ${rows}) g ${joins.join(' ')}`;
}

function generator(c: Column, g: string): string {
  if (c.isEnum) return `(enum_range(NULL::${c.type}))[1 + ${g} % array_length(enum_range(NULL::${c.type}), 1)]`;
  if (c.type === 'smallint') return `(${g} % 32000)::smallint`;
  if (c.type === 'uuid') return `md5(${g}::text)::uuid`;
  if (c.type === 'json' || c.type === 'jsonb') return `jsonb_build_object('n', ${g})::${c.type}`;
  switch (c.category) {
    case 'N':
      return `${g}::${c.type}`;
    case 'B':
      return `(${g} % 2 = 0)`;
    case 'D':
      return `(now() - ${g} * interval '1 minute')::${c.type}`;
    case 'S':
      return `(${quoteLiteral(c.name)} || ' ' || ${g})::${c.type}`;
    default:
      return `NULL::${c.type}`;
  }
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
