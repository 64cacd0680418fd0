import { z } from 'zod';
import type { OperationOutput } from './output.js';
import { tableShape } from './params.js';
import { tableSql } from './sql.js';

/**
 * `ops.dropTable({ table })`: the old app keeps using the table until it is
 * retired, so nothing happens before the drop phase, which drops it behind
 * `gates.drop`. No CASCADE: a view or a foreign key of another table that
 * still needs it makes the drop fail rather than vanish with it.
 */
export const dropTableSchema = z.strictObject({ ...tableShape });

export function compileDropTable(params: z.output<typeof dropTableSchema>): OperationOutput {
  return {
    phases: { drop: { steps: [{ sql: `DROP TABLE ${tableSql({ schema: params.schema, table: params.table })}` }] } },
    requires: [{ field: 'table', schema: params.schema, table: params.table }],
  };
}
