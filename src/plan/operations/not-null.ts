import { generatedName } from './names.js';
import type { GeneratedStep } from './output.js';
import { ident, tableSql, type TableRef } from './sql.js';

/**
 * SET NOT NULL without holding ACCESS EXCLUSIVE through a scan: a NOT VALID
 * CHECK (instant), its VALIDATE (scans under SHARE UPDATE EXCLUSIVE, so
 * reads and writes go on), then SET NOT NULL, which PostgreSQL 12+ proves
 * from the validated CHECK without scanning, and the CHECK is dropped.
 * Each statement is its own step, so no strong lock outlives its statement.
 */
export function setNotNullSteps(table: TableRef, column: string): GeneratedStep[] {
  const check = ident(generatedName(table.table, column, 'not_null'));
  const alter = `ALTER TABLE ${tableSql(table)}`;
  return [
    { sql: `${alter} ADD CONSTRAINT ${check} CHECK (${ident(column)} IS NOT NULL) NOT VALID` },
    { sql: `${alter} VALIDATE CONSTRAINT ${check}` },
    { sql: `${alter} ALTER COLUMN ${ident(column)} SET NOT NULL` },
    { sql: `${alter} DROP CONSTRAINT ${check}` },
  ];
}
