import { z } from 'zod';
import { generatedName } from './names.js';
import type { OperationOutput } from './output.js';
import { identifier } from './params.js';
import { copyTablePrivileges } from './privileges.js';
import { ident, objectSql, tableSql } from './sql.js';

const names = z.array(identifier).min(1, 'must list at least one column');

/**
 * `ops.moveColumns({ from, to, key, columns })`: splits a table. `to` is a new
 * table keyed 1:1 by the from-table's key; both shapes are kept in step while
 * both app versions run, and the old columns go in the drop phase.
 */
export const moveColumnsSchema = z
  .strictObject({
    /** The table the columns leave (exact name). */
    from: identifier,
    /** The new table they move to (exact name); it must not exist yet. */
    to: identifier,
    /** The from-table's key column(s), unique and not null (its primary key): they become `to`'s primary key and a foreign key to `from`. */
    key: z.union([identifier, names]),
    /** The columns that move, in the order `to` gets them. */
    columns: names,
    /** The schema of both tables; without it the search_path finds `from`, and `to` goes where CREATE TABLE puts it. */
    schema: identifier.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.from === p.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'from and to are the same table' });
    const seen = new Set<string>();
    for (const [field, list] of [['key', keyList(p.key)], ['columns', p.columns]] as const) {
      list.forEach((name, i) => {
        if (seen.has(name)) ctx.addIssue({ code: 'custom', path: typeof p.key === 'string' && field === 'key' ? [field] : [field, i], message: `${JSON.stringify(name)} is listed twice (in key or columns); a key column stays in ${JSON.stringify(p.from)} and cannot move` });
        seen.add(name);
      });
    }
  });

/*
 * Who wins, row by row (the rules docs/operations.md gives authors):
 * - A change of a moved column in `from` (the old app) is copied to `to`
 *   (upsert), and a write to `to` (the new app) is copied back to `from`;
 *   each copy is skipped when the other side already holds the same values,
 *   which is also what ends the echo of one copy back through the other.
 * - A new from-row gets its to-row at COMMIT (a deferred trigger), and only
 *   if the transaction did not write one itself (ON CONFLICT DO NOTHING), with
 *   the from-row's values at that time: a new app that inserts both halves,
 *   in one statement or in several, keeps its own to-row.
 * - The backfill only touches from-rows without a to-row; the copy it causes
 *   never overwrites one either.
 */
export function compileMoveColumns(params: z.output<typeof moveColumnsSchema>): OperationOutput {
  const fromRef = { schema: params.schema, table: params.from };
  const toRef = { schema: params.schema, table: params.to };
  const from = tableSql(fromRef);
  const to = tableSql(toRef);
  const keyNames = keyList(params.key);
  const keys = keyNames.map(ident);
  const cols = params.columns.map(ident);
  const [firstKey = '', firstCol = ''] = [keys[0], cols[0]];
  const list = (prefix: string, items: readonly string[]): string => items.map((c) => `${prefix}${c}`).join(', ');
  const sameKey = (a: string, b: string): string => keys.map((k) => `${a}.${k} = ${b}.${k}`).join(' AND ');
  const differ = (a: string, b: string): string => `ROW(${list(`${a}.`, cols)}) IS DISTINCT FROM ROW(${list(`${b}.`, cols)})`;

  const split = generatedName(params.from, params.to, 'split');
  const splitNew = generatedName(params.from, params.to, 'split_new');
  const merge = generatedName(params.to, params.from, 'merge');
  const mergeFirst = generatedName(params.to, params.from, 'merge_lock');
  const fk = generatedName(params.to, params.from, 'fk');
  const splitFn = `${objectSql(fromRef, split)}()`;
  const mergeFn = `${objectSql(toRef, merge)}()`;
  // The tables are found as the migration found them, whatever search_path the writing app's session has.
  const fn = (name: string, body: readonly string[]): string =>
    [`CREATE OR REPLACE FUNCTION ${name} RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $pgate$`, 'BEGIN', ...body, '  RETURN NULL;', 'END', '$pgate$'].join('\n');

  const splitBody = [
    `  IF TG_OP = 'UPDATE' AND ${differ('NEW', 'OLD')} THEN`,
    `    INSERT INTO ${to} AS pgate_to (${list('', [...keys, ...cols])}) VALUES (${list('NEW.', [...keys, ...cols])})`,
    `      ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${cols.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
    `      WHERE ${differ('pgate_to', 'EXCLUDED')};`,
    '  ELSE',
    `    INSERT INTO ${to} (${list('', [...keys, ...cols])})`,
    `      SELECT ${list('pgate_from.', [...keys, ...cols])} FROM ${from} AS pgate_from WHERE ${sameKey('pgate_from', 'NEW')}`,
    `      ON CONFLICT (${keys.join(', ')}) DO NOTHING;`,
    '  END IF;',
  ];
  const mergeBody = [
    `  IF TG_WHEN = 'BEFORE' THEN`,
    // The from-row first, as the old app and the backfill take them: two writers of one key then queue instead of deadlocking.
    `    PERFORM 1 FROM ${from} AS pgate_from WHERE ${sameKey('pgate_from', 'NEW')} FOR NO KEY UPDATE;`,
    '    RETURN NEW;',
    '  END IF;',
    `  UPDATE ${from} AS pgate_from SET ${cols.map((c) => `${c} = NEW.${c}`).join(', ')}`,
    `   WHERE ${sameKey('pgate_from', 'NEW')} AND ${differ('pgate_from', 'NEW')};`,
  ];
  // The copies into `to` stop first: once contract begins only the new app writes, and `from` must not speak for it.
  const removeTriggers = [
    `DROP TRIGGER IF EXISTS ${ident(splitNew)} ON ${from}`,
    `DROP TRIGGER IF EXISTS ${ident(split)} ON ${from}`,
    `DROP TRIGGER IF EXISTS ${ident(merge)} ON ${to}`,
    `DROP TRIGGER IF EXISTS ${ident(mergeFirst)} ON ${to}`,
    `DROP FUNCTION IF EXISTS ${mergeFn}`,
    `DROP FUNCTION IF EXISTS ${splitFn}`,
  ];
  return {
    phases: {
      expand: {
        steps: [
          // The types (with typmods and collations) come from `from` itself: compiling needs no database.
          {
            sql: [
              `CREATE TABLE ${to} AS SELECT ${list('', [...keys, ...cols])} FROM ${from} WITH NO DATA;`,
              `ALTER TABLE ${to} ADD PRIMARY KEY (${keys.join(', ')}),`,
              `  ADD CONSTRAINT ${ident(fk)} FOREIGN KEY (${keys.join(', ')}) REFERENCES ${from} (${keys.join(', ')}) ON DELETE CASCADE ON UPDATE CASCADE NOT VALID;`,
              // The sync triggers write `to` as the role that wrote `from`: whoever may write the columns there may here.
              copyTablePrivileges(from, to),
            ].join('\n'),
          },
          { sql: `ALTER TABLE ${to} VALIDATE CONSTRAINT ${ident(fk)}` },
          // The new app inserts from-rows without the moved columns; the old app still fills them.
          { sql: `ALTER TABLE ${from} ${cols.map((c) => `ALTER COLUMN ${c} DROP NOT NULL`).join(', ')}` },
        ],
        down: [`DROP TABLE ${to}`],
      },
      dualWrite: {
        steps: [
          { sql: fn(splitFn, splitBody) },
          { sql: `CREATE TRIGGER ${ident(split)} AFTER UPDATE OF ${cols.join(', ')} ON ${from} FOR EACH ROW EXECUTE FUNCTION ${splitFn}` },
          { sql: `CREATE CONSTRAINT TRIGGER ${ident(splitNew)} AFTER INSERT ON ${from} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ${splitFn}` },
          { sql: fn(mergeFn, mergeBody) },
          { sql: `CREATE TRIGGER ${ident(mergeFirst)} BEFORE INSERT ON ${to} FOR EACH ROW EXECUTE FUNCTION ${mergeFn}` },
          { sql: `CREATE TRIGGER ${ident(merge)} AFTER INSERT OR UPDATE ON ${to} FOR EACH ROW EXECUTE FUNCTION ${mergeFn}` },
        ],
        down: removeTriggers,
      },
      // Nothing to undo: the copies agree with `from`, and expand's down drops `to` with them.
      backfill: {
        steps: [],
        down: [],
        verify: [
          `SELECT count(*) FROM ${from} AS pgate_from LEFT JOIN ${to} AS pgate_to ON ${sameKey('pgate_to', 'pgate_from')}\n` +
            ` WHERE pgate_to.${firstKey} IS NULL OR ${differ('pgate_from', 'pgate_to')}`,
        ],
      },
      contract: { steps: removeTriggers.map((sql) => ({ sql })) },
      drop: { steps: [{ sql: `ALTER TABLE ${from} ${cols.map((c) => `DROP COLUMN ${c}`).join(', ')}` }] },
    },
    // Touching a row (SET c = c) fires the split trigger, which copies it; rows the new app already split are left alone.
    backfill: {
      table: from,
      set: [`${firstCol} = ${firstCol}`],
      where: `NOT EXISTS (SELECT FROM ${to} AS pgate_to WHERE ${sameKey('pgate_to', ident(params.from))})`,
    },
    requires: [
      ...keyNames.map((column, i) => ({ field: typeof params.key === 'string' ? 'key' : `key.${i}`, schema: params.schema, table: params.from, column })),
      ...params.columns.map((column, i) => ({ field: `columns.${i}`, schema: params.schema, table: params.from, column })),
    ],
    creates: [toRef],
  };
}

const keyList = (key: string | readonly string[]): readonly string[] => (typeof key === 'string' ? [key] : key);
