import { PhasegateError } from '../errors.js';
import type { QueryResultRow } from 'pg';
import { formatBytes } from '../analysis/index.js';
import { extendedQuery, inReadOnlyTransaction, relationSizes, resolveRelations, type Queryable, type ReadOnlyLimits } from '../pg/index.js';

export interface PlanCheckPolicy {
  /** A sequential scan of a table larger than this is refused. */
  readonly seqScanBytes: number;
}

interface PlanNode {
  readonly 'Node Type'?: string;
  readonly 'Relation Name'?: string;
  readonly Schema?: string;
  readonly Plans?: readonly PlanNode[];
}

/**
 * EXPLAINs a query (never ANALYZE: that would run a write) and refuses it
 * when the plan reads a large table sequentially, which on a live table
 * means a long statement and, for a write, row locks taken one by one across
 * the whole table. Small tables are fine: a seq scan is what they should get.
 * EXPLAIN runs read-only as one statement: a second statement smuggled into
 * `sql` is refused by the server instead of run.
 */
export async function checkQueryPlan(db: Queryable, sql: string, policy: PlanCheckPolicy, where: string, limits: ReadOnlyLimits): Promise<void> {
  const explain = <R extends QueryResultRow>(format: string): Promise<R[]> =>
    inReadOnlyTransaction(db, limits, async () => (await db.query<R>(extendedQuery(`EXPLAIN ${format}${sql}`))).rows);
  const rows = await explain<{ 'QUERY PLAN': readonly { Plan: PlanNode }[] }>('(FORMAT JSON) ');
  const root = rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (root === undefined) return;
  for (const scan of seqScans(root)) {
    // EXPLAIN names the relation by its raw schema and name: look those up exactly, never re-parse them as SQL.
    const name = scan['Relation Name'];
    if (name === undefined) continue;
    const [relation] = await resolveRelations(db, [scan.Schema === undefined ? { name } : { schema: scan.Schema, name }]);
    if (relation === null || relation === undefined) continue;
    const bytes = (await relationSizes(db, [relation.oid])).get(relation.oid)?.bytes ?? 0;
    if (bytes > policy.seqScanBytes) {
      const table = relation.quoted;
      const text = await explain<{ 'QUERY PLAN': string }>('');
      throw new PhasegateError(
        'REFUSED',
        `${where}: refused by the query-plan check: a Seq Scan on ${table} (${formatBytes(bytes)}) where an index should be used\n${text.map((r) => `    ${r['QUERY PLAN']}`).join('\n')}`,
        { hint: `add an index that matches the WHERE clause (CREATE INDEX CONCURRENTLY in an expand phase), or bound the statement by the primary key` },
      );
    }
  }
}

function seqScans(node: PlanNode): PlanNode[] {
  const own = node['Node Type'] === 'Seq Scan' ? [node] : [];
  return [...own, ...(node.Plans ?? []).flatMap(seqScans)];
}
