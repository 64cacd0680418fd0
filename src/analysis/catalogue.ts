import type { RuleId } from './rule-ids.js';

/** What the catalogue says about one rule; docs/rules.md repeats it in prose. */
export interface RuleDescription {
  readonly title: string;
  /** Why the rule exists: what PostgreSQL does. */
  readonly explanation: string;
  /** The safe alternative. */
  readonly hint: string;
}

/** The rule catalogue, one entry per RuleId (the Record type makes a missing one a compile error). */
export const RULES: Readonly<Record<RuleId, RuleDescription>> = {
  'non-concurrent-index': {
    title: 'Index built or dropped without CONCURRENTLY on an existing table',
    explanation:
      'CREATE INDEX holds a SHARE lock on the table for the whole build, so every INSERT, UPDATE and DELETE waits until it ends. DROP INDEX takes ACCESS EXCLUSIVE on the table; while it waits for running queries, all new queries queue behind it.',
    hint: 'Use CREATE INDEX CONCURRENTLY (or DROP INDEX CONCURRENTLY) in a non-transactional step of its own.',
  },
  'concurrently-in-transaction': {
    title: 'Statement that cannot run inside a transaction block',
    explanation:
      'CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, VACUUM, DETACH PARTITION CONCURRENTLY and a few others refuse to run inside a transaction block. A transactional step, an explicit BEGIN, or several statements sent as one query (an implicit transaction) make the step fail every time.',
    hint: 'Put the statement alone in a step with transactional: false (in a .sql file, outside BEGIN/COMMIT).',
  },
  'validated-constraint': {
    title: 'CHECK or FOREIGN KEY added without NOT VALID on an existing table',
    explanation:
      'Adding a CHECK constraint validates every existing row while holding ACCESS EXCLUSIVE; a FOREIGN KEY does the same while holding SHARE ROW EXCLUSIVE on both tables, which blocks their writes. The duration grows with the table.',
    hint: 'ADD CONSTRAINT ... NOT VALID (instant, enforced for new rows), then ALTER TABLE ... VALIDATE CONSTRAINT in a later step: it scans under SHARE UPDATE EXCLUSIVE, which does not block reads or writes.',
  },
  'constraint-builds-index': {
    title: 'UNIQUE, PRIMARY KEY or EXCLUDE constraint that builds its index under ACCESS EXCLUSIVE',
    explanation:
      'ALTER TABLE ... ADD UNIQUE / PRIMARY KEY / EXCLUDE builds the backing index inside the ALTER TABLE, holding ACCESS EXCLUSIVE for the whole build: no reads or writes of the table until it ends.',
    hint: 'CREATE UNIQUE INDEX CONCURRENTLY in a non-transactional step, then ALTER TABLE ... ADD CONSTRAINT name UNIQUE USING INDEX (PRIMARY KEY USING INDEX for a primary key), which is instant.',
  },
  'set-not-null-without-check': {
    title: 'SET NOT NULL that scans the table',
    explanation:
      'ALTER COLUMN ... SET NOT NULL reads every row under ACCESS EXCLUSIVE to prove there is no NULL. Since PostgreSQL 12 it skips the scan when a validated CHECK (col IS NOT NULL) constraint already proves it; phasegate looks for one earlier in the same migration.',
    hint: 'ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT c, then SET NOT NULL (no scan), then DROP CONSTRAINT c.',
  },
  'rewriting-type-change': {
    title: 'Column type change that rewrites the table',
    explanation:
      'ALTER COLUMN ... TYPE rewrites the whole table and rebuilds its indexes under ACCESS EXCLUSIVE unless the change is binary coercible: varchar(n) to varchar(m >= n), varchar to text, text to varchar without a limit, numeric(p,s) to numeric(p2 >= p, s) or unconstrained numeric, a higher time precision, cidr to inet. A USING expression that does real work always rewrites.',
    hint: 'Add a new column with the new type, dual-write it, backfill it in batches, and switch reads in the contract phase.',
  },
  'add-column-rewrite': {
    title: 'ADD COLUMN that rewrites the table',
    explanation:
      'Since PostgreSQL 11, ADD COLUMN with a constant or stable default (a literal, now()) only updates the catalog. A volatile default (random(), clock_timestamp(), gen_random_uuid(), nextval() and so serial types), an identity column or a stored generated column must be computed for every row, so the table is rewritten under ACCESS EXCLUSIVE. Before PostgreSQL 11 any non-null default rewrites.',
    hint: 'Add the column without a default (or with a constant one on PostgreSQL 11+), SET DEFAULT for new rows, and fill existing rows in the backfill phase.',
  },
  'table-rewrite': {
    title: 'ALTER TABLE that copies the whole table',
    explanation:
      'SET LOGGED, SET UNLOGGED, SET ACCESS METHOD and SET TABLESPACE write a new copy of the table (and for tablespaces its indexes) while holding ACCESS EXCLUSIVE.',
    hint: 'Create the new table alongside, dual-write and backfill it, and switch in the contract phase; or run it in a maintenance window.',
  },
  'breaking-change-outside-contract': {
    title: 'Coexistence-breaking change before the contract phase',
    explanation:
      'Until the contract phase the previous app version is still deployed and uses the old schema (state A). Dropping or renaming its tables, columns, views, functions, types or schemas, changing a column type, or making a column NOT NULL (or dropping its default) when old versions may not write it, breaks those versions mid-deploy.',
    hint: 'Move it to the contract or drop phase, gated on the deploy marker that no running app needs the old shape; in expand, add the new object alongside the old one.',
  },
  truncate: {
    title: 'TRUNCATE of an existing table',
    explanation: 'TRUNCATE removes every row at once and takes ACCESS EXCLUSIVE; it is data loss for a live table and blocks all access while it waits.',
    hint: 'Delete in bounded batches in a backfill step, or truncate only tables this migration created.',
  },
  'lock-table': {
    title: 'Explicit LOCK TABLE',
    explanation:
      'LOCK TABLE holds its lock until the transaction ends, beyond any single statement. SHARE and stronger modes block INSERT/UPDATE/DELETE; ACCESS EXCLUSIVE (the default mode) blocks reads too.',
    hint: 'Rely on the locks each statement takes and keep them short with lock_timeout; phasegate already serialises runners.',
  },
  'vacuum-full': {
    title: 'VACUUM FULL',
    explanation: 'VACUUM FULL writes a new copy of the table and its indexes while holding ACCESS EXCLUSIVE.',
    hint: 'Use plain VACUUM, or reclaim space online with pg_repack or pg_squeeze.',
  },
  cluster: {
    title: 'CLUSTER',
    explanation: 'CLUSTER rewrites the table in index order while holding ACCESS EXCLUSIVE.',
    hint: 'Use pg_repack --order-by to reorder online, or rely on the index instead of physical order.',
  },
  'non-concurrent-reindex': {
    title: 'REINDEX without CONCURRENTLY',
    explanation:
      'A plain REINDEX blocks writes to the table and takes ACCESS EXCLUSIVE on each index it rebuilds, so queries that would use the index wait. REINDEX CONCURRENTLY (PostgreSQL 12+) does not.',
    hint: 'Use REINDEX ... CONCURRENTLY in a non-transactional step (PostgreSQL 12+).',
  },
  'non-concurrent-refresh': {
    title: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY',
    explanation:
      'A plain refresh holds ACCESS EXCLUSIVE on the view while its query runs, so every SELECT on the view waits. CONCURRENTLY takes EXCLUSIVE, which still allows reads.',
    hint: 'REFRESH MATERIALIZED VIEW CONCURRENTLY (the view needs a unique index).',
  },
  'unbounded-dml': {
    title: 'UPDATE or DELETE of every row in one statement',
    explanation:
      'An UPDATE or DELETE without a selective WHERE (none, `WHERE true`, `1 = 1` or another visible tautology) over a whole live table is one long transaction in any phase, backfill included: its row locks block concurrent writers until it commits, it bloats the table and WAL, and it cannot be throttled or resumed. A warning without table sizes; with them, an error on a large table.',
    hint: 'Use a `backfill` step (keyset batches over the primary key, each its own short transaction), or bound the statement with a selective WHERE.',
  },
  'drop-before-drop-phase': {
    title: 'Data dropped before the drop phase',
    explanation:
      'Every phase before drop must stay undoable: contract tightens constraints and retires sync paths, but a dropped column, table, materialized view, type, domain or schema takes its data (or what uses it) with it, and no rollback brings it back. Dropping belongs to the drop phase, behind its gate and soak. Objects this migration created, and a type it renamed away earlier, are exempt.',
    hint: 'Move the DROP to the drop phase of the migration (drop: { sql: [...] }); until then the old column or table simply stays unused.',
  },
  'lock-held-in-transaction': {
    title: 'Lock held across a slow statement of the same transaction',
    explanation:
      'PostgreSQL keeps every table lock until COMMIT. In a transactional step, a step of several statements (one implicit transaction), a DO block or an explicit BEGIN ... COMMIT, an ACCESS EXCLUSIVE or write-blocking lock that an earlier statement took briefly is still held while a later statement scans, validates or rewrites a table; ADD CONSTRAINT ... NOT VALID followed by VALIDATE CONSTRAINT in one transaction holds the strong lock through the whole validating scan.',
    hint: 'Put the slow statement (VALIDATE CONSTRAINT, the index build, the full-table UPDATE) in a step of its own, so the brief strong lock is released before it starts.',
  },
  'enum-value-in-transaction': {
    title: 'New enum value used in the transaction that added it',
    explanation:
      'Since PostgreSQL 12 ALTER TYPE ... ADD VALUE may run in a transaction block, but the new value cannot be used until that transaction commits: PostgreSQL fails the statement with "unsafe use of new value".',
    hint: 'Add the value in a step of its own (its own transaction) and use it in a later step.',
  },
  'suppression-without-reason': {
    title: 'Suppression without a reason',
    explanation: 'Every `-- phasegate:allow <rule-id> <reason>` must say why the finding is acceptable, so a reviewer can judge it later. Without a reason it silences nothing.',
    hint: 'Write the reason after the rule id, e.g. `-- phasegate:allow non-concurrent-index table has 40 rows`.',
  },
  'stale-suppression': {
    title: 'Suppression that silences nothing',
    explanation: 'A suppression applies to the statement directly below it; this one names a rule that does not fire there (any more), so it only hides future mistakes.',
    hint: 'Delete the comment, or move it directly above the statement it is meant for.',
  },
  'unknown-suppression-rule': {
    title: 'Suppression of an unknown rule',
    explanation: 'The rule id in a suppression must be one of the statement rules in this catalogue, or unanalysed-code; suppression rules themselves cannot be suppressed.',
    hint: 'Use a rule id from docs/rules.md, spelled exactly (kebab-case).',
  },
  'unanalysed-code': {
    title: 'SQL inside code that could not be analysed',
    explanation:
      'Static SQL in DO blocks and in PL/pgSQL or SQL function bodies is analysed like top-level SQL (a DO block as one transaction). SQL built at run time (EXECUTE of a concatenated string, FOR ... IN EXECUTE) or a body that does not compile cannot be read statically, so it is reported instead of passing silently. An info finding: it never refuses anything.',
    hint: 'Write the statements statically (or as top-level steps) so phasegate can check them, or review the dynamic SQL by hand and say so with -- phasegate:allow unanalysed-code <reason> above the statement.',
  },
};
