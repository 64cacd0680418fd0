import { z } from 'zod';
import type { OperationOutput } from './output.js';
import { identifier } from './params.js';
import { copyTablePrivileges } from './privileges.js';
import { ident, literal, tableSql } from './sql.js';

/**
 * `ops.renameTable({ from, to })`: expand renames the table and, in the same
 * transaction, puts an automatically updatable view under the old name, so
 * the old app reads and writes the table through it until the drop phase
 * drops the view.
 */
export const renameTableSchema = z
  .strictObject({
    /** The table's current exact name. */
    from: identifier,
    /** Its new exact name. */
    to: identifier,
    /** The schema of both; without it the search_path finds the table, and the view goes where CREATE VIEW puts it. */
    schema: identifier.optional(),
  })
  .refine((p) => p.from !== p.to, { error: 'from and to are the same name', path: ['to'] });

export function compileRenameTable(params: z.output<typeof renameTableSchema>): OperationOutput {
  const from = tableSql({ schema: params.schema, table: params.from });
  const to = tableSql({ schema: params.schema, table: params.to });
  // One transaction: no moment exists at which the old name is missing, or is there without its privileges.
  const expand = [
    '-- phasegate:allow breaking-change-outside-contract the view created next, in the same transaction, keeps the old name working',
    `ALTER TABLE ${from} RENAME TO ${ident(params.to)};`,
    `CREATE VIEW ${from} AS SELECT * FROM ${to};`,
    // The view gets the table's grants, and from PostgreSQL 15 checks the table as the app (security_invoker),
    // so the app's column grants and row-level security policies keep applying to it, not the view owner's.
    copyTablePrivileges(to, from, [
      "  IF current_setting('server_version_num')::int >= 150000 THEN",
      `    EXECUTE format('ALTER VIEW %s SET (security_invoker = true)', ${literal(from)});`,
      '  END IF;',
    ]),
  ].join('\n');
  return {
    phases: {
      expand: { steps: [{ sql: expand }], down: [`DROP VIEW ${from}`, `ALTER TABLE ${to} RENAME TO ${ident(params.from)}`] },
      drop: { steps: [{ sql: `DROP VIEW ${from}` }] },
    },
    requires: [{ field: 'from', schema: params.schema, table: params.from }],
    creates: [{ schema: params.schema, table: params.to }],
  };
}
