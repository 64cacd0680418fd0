import { columnCheck, columnReference, columnReferencesSql } from './constraint-definition.js';
import { setNotNullSteps } from './not-null.js';
import { z } from 'zod';
import { generatedName } from './names.js';
import type { GeneratedBackfill, GeneratedStep, OperationFragment, OperationOutput, PhaseOutput, RequiredName } from './output.js';
import { identifier, sqlText, tableShape } from './params.js';
import { ident, literal, tableSql, type TableRef } from './sql.js';
import { syncTrigger } from './sync-trigger.js';


/**
 * `ops.alterColumn({ table, column, ... })`: renames a column, changes its
 * type, or tightens it, while the old and the new app version both run.
 */
export const alterColumnSchema = z
  .strictObject({
    /** The table, exactly as stored ('Users' is "Users"). */
    table: tableShape.table,
    /** The table's schema; without it the search_path finds the table. */
    schema: tableShape.schema,
    /** The column to change, exactly as stored. */
    column: identifier,
    /** A new name: the column is copied into a new one kept in sync both ways, and the old one is dropped in drop. */
    name: identifier.optional(),
    /** A new type (SQL, e.g. 'bigint', 'jsonb'). Without `name` the column keeps its name: a shadow column is swapped in during contract. */
    type: sqlText.optional(),
    /** The new value from a row of the old shape (SQL expression over the row's columns). Default: the old column, cast to `type`. */
    up: sqlText.optional(),
    /** With `name`: the old value from a row of the new shape (SQL expression). Default: the new column, converted by assignment. */
    down: sqlText.optional(),
    /** false: NOT NULL the safe way in contract; true: NULL allowed. Unset: a copy (name or type) keeps the old column's NOT NULL; otherwise nothing changes. */
    nullable: z.boolean().optional(),
    /** The column's default from contract on (SQL expression); null drops it. Unset: a copy keeps the old default when the type stays, and a sequence or identity always. */
    default: z.union([sqlText, z.null()]).optional(),
    /** true: a UNIQUE constraint through a concurrently built index. Required to copy a unique or primary key column (a primary key keeps being one). */
    unique: z.boolean().optional(),
    /** A CHECK constraint, added NOT VALID and then validated in contract. */
    check: columnCheck.optional(),
    /** A FOREIGN KEY, added NOT VALID and then validated in contract. */
    references: columnReference.optional(),
  })
  .superRefine((p, ctx) => {
    const problem = (path: string, message: string): void => void ctx.addIssue({ code: 'custom', path: [path], message });
    const changesShape = p.name !== undefined || p.type !== undefined;
    const constraints = [p.nullable, p.default, p.unique, p.check, p.references];
    if (!changesShape && constraints.every((c) => c === undefined)) {
      problem('column', 'nothing to change: give at least one of name, type, nullable, default, unique, check, references');
    }
    if (p.name === p.column) problem('name', `is the column's current name; give a different name, or leave name out`);
    if (!changesShape && p.up !== undefined) problem('up', 'only applies when the column gets a new name or type');
    if (p.name === undefined && p.down !== undefined) {
      problem('down', 'only applies with name: an in-place type change is written by the old app through its old column until the swap in contract');
    }
    if (p.unique === false) problem('unique', 'only true is supported (a unique constraint is dropped with dropConstraint)');
  });

type AlterColumnParams = z.output<typeof alterColumnSchema>;

export function compileAlterColumn(p: AlterColumnParams): OperationOutput {
  const output = p.name !== undefined ? renamePlan(p, p.name) : p.type !== undefined ? inPlacePlan(p, p.type) : constraintsPlan(p);
  return { ...output, fragments: fragmentsOf(p), requires: requiredNames(p) };
}

function fragmentsOf(p: AlterColumnParams): OperationFragment[] {
  const fragments: OperationFragment[] = [];
  if (p.type !== undefined) fragments.push({ field: 'type', kind: 'typeName', sql: p.type });
  if (p.up !== undefined) fragments.push({ field: 'up', kind: 'expression', sql: p.up });
  if (p.down !== undefined) fragments.push({ field: 'down', kind: 'expression', sql: p.down });
  if (typeof p.default === 'string') fragments.push({ field: 'default', kind: 'expression', sql: p.default });
  if (p.check !== undefined) fragments.push({ field: 'check.constraint', kind: 'condition', sql: p.check.constraint });
  return fragments;
}

function requiredNames(p: AlterColumnParams): RequiredName[] {
  const names: RequiredName[] = [{ field: 'column', schema: p.schema, table: p.table, column: p.column }];
  if (p.references !== undefined) names.push({ field: 'references.column', schema: p.references.schema, table: p.references.table, column: p.references.column });
  return names;
}

/** The new value from a row of the old shape, cast to the new type when one is given. */
const upValue = (p: AlterColumnParams): string => {
  const up = p.up ?? ident(p.column);
  return p.type === undefined ? `(${up})` : `CAST((${up}) AS ${p.type})`;
};

/**
 * Copy-and-sync shared by rename and in-place: expand adds `target`
 * (nullable, no default, so an old-app INSERT leaves it to the trigger),
 * dualWrite installs the trigger, backfill copies and verifies.
 */
function copyPhases(
  p: AlterColumnParams,
  target: string,
  addColumn: PhaseOutput,
): { phases: Record<'expand' | 'dualWrite' | 'backfill', PhaseOutput>; backfill: GeneratedBackfill; sync: ReturnType<typeof syncTrigger> } {
  const ref: TableRef = { schema: p.schema, table: p.table };
  const table = tableSql(ref);
  const down = p.name === undefined ? undefined : (p.down ?? ident(target));
  const sync = syncTrigger(ref, { old: p.column, new: target, up: p.up ?? ident(p.column), down, newType: p.type });
  const differs = `${ident(target)} IS DISTINCT FROM ${upValue(p)}`;
  const verify = [`SELECT count(*) FROM ${table} WHERE ${differs}`];
  if (p.nullable === false) verify.push(`SELECT count(*) FROM ${table} WHERE ${ident(target)} IS NULL`);
  return {
    phases: {
      expand: { steps: [preCheck(p), ...addColumn.steps], down: addColumn.down ?? [] },
      dualWrite: sync.install,
      // Nothing to undo: expand's down drops the copied column with its data.
      backfill: { steps: [], down: [], verify },
    },
    backfill: { table, set: [`${ident(target)} = ${upValue(p)}`], where: differs },
    sync,
  };
}

// ---------------------------------------------------------------- rename

function renamePlan(p: AlterColumnParams, name: string): OperationOutput {
  const ref: TableRef = { schema: p.schema, table: p.table };
  const table = tableSql(ref);
  const copy = copyPhases(p, name, { steps: [{ sql: addColumnSql(p, name) }], down: [`ALTER TABLE ${table} DROP COLUMN IF EXISTS ${ident(name)}`] });
  const notNull = constraintName(p, 'not_null');
  // A default of another type may not fit the new one: then only a sequence or identity moves.
  const carry: DefaultCarry = p.default !== undefined ? 'none' : p.type === undefined ? 'any' : 'sequence';
  return {
    phases: {
      ...copy.phases,
      contract: {
        steps: [
          ...carriedNotNullSteps(p, name, notNull),
          {
            sql: dynamicDdl(p, 'moves NOT NULL, the default and its sequence or identity, whose names are read from the catalog; every statement is catalog-only', [
              ...columnFacts(p, p.column, name),
              ...setCarriedNotNull(p, name, notNull),
              ...moveDefault(carry),
              // New-app INSERTs leave the old column out; once the trigger is gone nothing fills it.
              '  IF col.attnotnull THEN',
              `    ALTER TABLE ${table} ALTER COLUMN ${ident(p.column)} DROP NOT NULL;`,
              '  END IF;',
            ]),
          },
          ...constraintSteps(p, name),
          ...defaultSteps(p, name),
          ...copy.sync.remove.map((sql) => ({ sql })),
        ],
      },
      drop: { steps: [{ sql: `ALTER TABLE ${table} DROP COLUMN ${ident(p.column)}` }] },
    },
    backfill: copy.backfill,
  };
}

/**
 * ADD COLUMN of the new column: static with `type`; without it the type
 * (and collation) is the old column's, read from the catalog when the step
 * runs, since compiling is pure.
 */
function addColumnSql(p: AlterColumnParams, target: string): string {
  const table = tableSql({ schema: p.schema, table: p.table });
  if (p.type !== undefined) return `ALTER TABLE ${table} ADD COLUMN ${ident(target)} ${p.type}`;
  return dynamicDdl(
    p,
    "adds a nullable column without default (a catalog-only change) of the old column's type, read from the catalog",
    [
      "  SELECT format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attcollation <> t.typcollation THEN ' COLLATE ' || quote_ident(n.nspname) || '.' || quote_ident(c.collname) ELSE '' END",
      '    INTO column_type',
      '    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid',
      '    LEFT JOIN pg_collation c ON c.oid = a.attcollation LEFT JOIN pg_namespace n ON n.oid = c.collnamespace',
      `    WHERE a.attrelid = tbl AND a.attname = ${literal(p.column)} AND NOT a.attisdropped;`,
      `  EXECUTE format('ALTER TABLE %s ADD COLUMN %I ' || column_type, tbl, ${literal(target)});`,
    ],
    ['column_type text;'],
  );
}

// ---------------------------------------------------------------- in-place type change

/** Generated names of an in-place type change. */
const inPlaceNames = (p: AlterColumnParams) => ({
  shadow: generatedName(p.table, p.column, 'new'),
  retired: generatedName(p.table, p.column, 'old'),
  key: constraintName(p, 'key'),
  notNull: constraintName(p, 'not_null'),
});

function inPlacePlan(p: AlterColumnParams, type: string): OperationOutput {
  const ref: TableRef = { schema: p.schema, table: p.table };
  const table = tableSql(ref);
  const names = inPlaceNames(p);
  const copy = copyPhases(p, names.shadow, {
    steps: [{ sql: `ALTER TABLE ${table} ADD COLUMN ${ident(names.shadow)} ${type}` }],
    down: [`ALTER TABLE ${table} DROP COLUMN IF EXISTS ${ident(names.shadow)}`],
  });
  const keySteps: GeneratedStep[] = p.unique === true ? [{ sql: `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ${ident(names.key)} ON ${table} (${ident(names.shadow)})`, transaction: false }] : [];
  return {
    phases: {
      ...copy.phases,
      contract: {
        steps: [
          ...keySteps,
          ...carriedNotNullSteps(p, names.shadow, names.notNull),
          { sql: `${lockWithReferencingSql(p)};\n${swapSql(p, names, copy.sync.remove)}` },
          { sql: validateForeignKeysSql(p) },
          // The swap made the shadow's unique index the key already.
          ...constraintSteps({ ...p, unique: undefined }, p.column),
          ...defaultSteps(p, p.column),
        ],
      },
      drop: { steps: [{ sql: `ALTER TABLE ${table} DROP COLUMN ${ident(names.retired)}` }] },
    },
    backfill: copy.backfill,
  };
}

/**
 * The swap, in one short transaction: the shadow column takes the old one's
 * name, NOT NULL, default, sequence (owned or identity, widened to the new
 * integer type) and primary key or unique constraint; the old column stays,
 * renamed and nullable, until drop; other tables' foreign keys to the key
 * are re-created on the new column. Names of the key, the sequence and the
 * foreign keys are catalog facts, so that DDL is built at run time.
 */
function swapSql(p: AlterColumnParams, names: ReturnType<typeof inPlaceNames>, removeTrigger: readonly string[]): string {
  const table = tableSql({ schema: p.schema, table: p.table });
  const key = literal(objectInSchema(p, names.key));
  return dynamicDdl(p, 'moves the default, sequence and key, whose names are read from the catalog; every statement is catalog-only', [
    ...columnFacts(p, p.column, names.shadow),
    '  SELECT conname, contype INTO key_name, key_kind FROM pg_constraint',
    "    WHERE conrelid = tbl AND contype IN ('p', 'u') AND conkey = ARRAY[col.attnum] ORDER BY contype LIMIT 1;",
    `  IF key_name IS NOT NULL AND to_regclass(${key}) IS NULL THEN`,
    `    RAISE EXCEPTION 'column % is in key % and no unique index % was built for its new type', old_col, key_name, ${literal(names.key)}`,
    "      USING HINT = 'add unique: true to the alterColumn operation';",
    '  END IF;',
    ...removeTrigger.map((sql) => `  ${sql};`),
    // Foreign keys to the key go with it and come back NOT VALID on the new column (validated in the next step).
    "  FOR fk IN SELECT conrelid::regclass AS child, conname, regexp_replace(pg_get_constraintdef(oid), ' NOT VALID$', '') AS def",
    "      FROM pg_constraint WHERE contype = 'f' AND confrelid = tbl AND confkey = ARRAY[col.attnum] LOOP",
    "    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.child, fk.conname);",
    "    foreign_keys := foreign_keys || format('ALTER TABLE %s ADD CONSTRAINT %I %s NOT VALID', fk.child, fk.conname, fk.def);",
    '  END LOOP;',
    '  IF key_name IS NOT NULL THEN',
    "    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', tbl, key_name);",
    '  END IF;',
    ...setCarriedNotNull(p, names.shadow, names.notNull),
    // An explicit default replaces the old one after the swap; a sequence or identity still moves.
    ...moveDefault(p.default === undefined ? 'any' : 'sequence'),
    '  IF col.attnotnull THEN',
    `    ALTER TABLE ${table} ALTER COLUMN ${ident(p.column)} DROP NOT NULL;`,
    '  END IF;',
    "  IF key_kind = 'p' THEN",
    `    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY USING INDEX %I', tbl, key_name, ${literal(names.key)});`,
    '  ELSIF key_name IS NOT NULL THEN',
    `    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I UNIQUE USING INDEX %I', tbl, key_name, ${literal(names.key)});`,
    `  ELSIF to_regclass(${key}) IS NOT NULL THEN`,
    `    ALTER TABLE ${table} ADD CONSTRAINT ${ident(names.key)} UNIQUE USING INDEX ${ident(names.key)};`,
    '  END IF;',
    `  ALTER TABLE ${table} RENAME COLUMN ${ident(p.column)} TO ${ident(names.retired)};`,
    `  ALTER TABLE ${table} RENAME COLUMN ${ident(names.shadow)} TO ${ident(p.column)};`,
    '  FOREACH statement IN ARRAY foreign_keys LOOP',
    '    EXECUTE statement;',
    '  END LOOP;',
  ], [...COLUMN_FACT_VARIABLES, 'fk record;', "foreign_keys text[] := '{}';", 'statement text;']);
}

/**
 * The swap's locks when other tables' foreign keys point at the column: the
 * table and those tables together, NOWAIT, tried again until lock_timeout
 * has passed (then 55P03, and the runner retries the step). Waiting for one
 * while holding another would deadlock with an app that writes the tables
 * in the other order; this way the swap never waits holding a lock.
 * Without such foreign keys it takes nothing, and the LOCK TABLE after it waits as usual.
 */
function lockWithReferencingSql(p: AlterColumnParams): string {
  const table = tableSql({ schema: p.schema, table: p.table });
  return [
    '-- phasegate:allow unanalysed-code locks the tables whose foreign keys point at the column (read from the catalog) together with this one, without queueing',
    'DO $pgate$',
    'DECLARE',
    `  tbl regclass := ${literal(table)}::regclass;`,
    '  referencing text;',
    "  give_up timestamptz := clock_timestamp() + current_setting('lock_timeout')::interval;",
    'BEGIN',
    "  SELECT string_agg(DISTINCT c.conrelid::regclass::text, ', ') INTO referencing FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = c.confkey[1]",
    `    WHERE c.contype = 'f' AND c.confrelid = tbl AND c.conrelid <> tbl AND a.attname = ${literal(p.column)};`,
    '  IF referencing IS NULL THEN',
    '    RETURN;',
    '  END IF;',
    '  LOOP',
    '    BEGIN',
    "      EXECUTE format('LOCK TABLE %s, %s IN ACCESS EXCLUSIVE MODE NOWAIT', tbl, referencing);",
    '      RETURN;',
    '    EXCEPTION WHEN lock_not_available THEN',
    '      IF clock_timestamp() > give_up THEN',
    '        RAISE;',
    '      END IF;',
    '      PERFORM pg_sleep(0.002 + random() * 0.008);',
    '    END;',
    '  END LOOP;',
    'END',
    '$pgate$',
  ].join('\n');
}

/**
 * VALIDATE of the foreign keys the swap re-created NOT VALID: each scans its
 * table under SHARE UPDATE EXCLUSIVE, which lets writes through. Their
 * tables are catalog facts, so no LOCK TABLE can name them beforehand.
 */
function validateForeignKeysSql(p: AlterColumnParams): string {
  const table = tableSql({ schema: p.schema, table: p.table });
  return [
    '-- phasegate:allow unanalysed-code validates the foreign keys to the column, whose tables are read from the catalog; VALIDATE lets writes through',
    'DO $pgate$',
    'DECLARE',
    '  fk record;',
    'BEGIN',
    "  FOR fk IN SELECT c.conrelid::regclass AS child, c.conname FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = c.confkey[1]",
    `      WHERE c.contype = 'f' AND c.confrelid = ${literal(table)}::regclass AND a.attname = ${literal(p.column)} AND NOT c.convalidated LOOP`,
    "    EXECUTE format('ALTER TABLE %s VALIDATE CONSTRAINT %I', fk.child, fk.conname);",
    '  END LOOP;',
    'END',
    '$pgate$',
  ].join('\n');
}

// ---------------------------------------------------------------- catalog-driven pieces

/**
 * A DO block whose DDL names come from the catalog (EXECUTE format('%I')),
 * after a static LOCK TABLE of the mode its ALTER TABLEs take, so analysis
 * and the plan show the real lock. `body` may use `tbl` and `variables`.
 * A body without EXECUTE is left to the analysis as it is.
 */
function dynamicDdl(p: AlterColumnParams, why: string, body: readonly string[], variables: readonly string[] = COLUMN_FACT_VARIABLES): string {
  const table = tableSql({ schema: p.schema, table: p.table });
  // Without EXECUTE every statement is static and analysed as it is: nothing to name or excuse.
  const dynamic = body.some((line) => line.includes('EXECUTE '));
  return [
    ...(dynamic
      ? [
          '-- phasegate:allow lock-table the block below takes this lock for its ALTER TABLEs anyway, for catalog-only changes; named here so the plan shows it',
          `LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE;`,
          `-- phasegate:allow unanalysed-code ${why}`,
        ]
      : []),
    'DO $pgate$',
    'DECLARE',
    `  tbl regclass := ${literal(table)}::regclass;`,
    ...variables.map((v) => `  ${v}`),
    'BEGIN',
    ...body,
    'END',
    '$pgate$',
  ].join('\n');
}

/** The variables `columnFacts`, `moveDefault` and the swap use. */
const COLUMN_FACT_VARIABLES = [
  'old_col text;',
  'new_col text;',
  'col record;',
  'key_name name;',
  'key_kind char;',
  'seq regclass;',
  'seq_name text;',
  'seq_last bigint;',
  'seq_increment bigint;',
];

/** Reads into `col` the old column's number, NOT NULL, identity, default, and the new column's type; `seq` its sequence. */
function columnFacts(p: AlterColumnParams, from: string, to: string): string[] {
  return [
    `  old_col := ${literal(from)};`,
    `  new_col := ${literal(to)};`,
    '  SELECT a.attnum, a.attnotnull, a.attidentity, pg_get_expr(d.adbin, d.adrelid) AS default_sql,',
    '         (SELECT format_type(s.atttypid, s.atttypmod) FROM pg_attribute s WHERE s.attrelid = tbl AND s.attname = new_col) AS new_type',
    '    INTO col',
    '    FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum',
    '    WHERE a.attrelid = tbl AND a.attname = old_col AND NOT a.attisdropped;',
    '  seq := pg_get_serial_sequence(tbl::text, old_col);',
  ];
}

/** Which default of the old column moves to the new one. */
type DefaultCarry = 'any' | 'sequence' | 'none';

/**
 * Moves an identity (same sequence name, increment and position; the new
 * type's range) or a default (with its owned sequence, widened to a wider
 * integer type) from `old_col` to `new_col`, so dropping the old column
 * later keeps the sequence.
 */
function moveDefault(carry: DefaultCarry): string[] {
  if (carry === 'none') return [];
  return [
    "  IF col.attidentity <> '' THEN",
    '    seq_name := seq::text;',
    '    seq_last := pg_sequence_last_value(seq);',
    '    SELECT seqincrement INTO seq_increment FROM pg_sequence WHERE seqrelid = seq;',
    "    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP IDENTITY', tbl, old_col);",
    "    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I ADD GENERATED %s AS IDENTITY (SEQUENCE NAME %s INCREMENT BY %s)',",
    "      tbl, new_col, CASE col.attidentity WHEN 'a' THEN 'ALWAYS' ELSE 'BY DEFAULT' END, seq_name, seq_increment);",
    '    IF seq_last IS NOT NULL THEN',
    '      PERFORM setval(pg_get_serial_sequence(tbl::text, new_col), seq_last);',
    '    END IF;',
    `  ELSIF col.default_sql IS NOT NULL${carry === 'sequence' ? ' AND seq IS NOT NULL' : ''} THEN`,
    "    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP DEFAULT', tbl, old_col);",
    "    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET DEFAULT %s', tbl, new_col, col.default_sql);",
    '    IF seq IS NOT NULL THEN',
    "      EXECUTE format('ALTER SEQUENCE %s OWNED BY %s.%I', seq, tbl, new_col);",
    "      IF col.new_type IN ('smallint', 'integer', 'bigint') AND (SELECT format_type(seqtypid, NULL) FROM pg_sequence WHERE seqrelid = seq) <> col.new_type THEN",
    "        EXECUTE format('ALTER SEQUENCE %s AS %s', seq, col.new_type);",
    '      END IF;',
    '    END IF;',
    '  END IF;',
  ];
}

/**
 * NOT NULL for `target` without a long ACCESS EXCLUSIVE scan: a CHECK added
 * NOT VALID, then validated (writes go on), when the old column is NOT NULL
 * (nullable unset) or nullable is false. `setCarriedNotNull` finishes it.
 */
function carriedNotNullSteps(p: AlterColumnParams, target: string, check: string): GeneratedStep[] {
  if (p.nullable === true) return [];
  const table = tableSql({ schema: p.schema, table: p.table });
  const oldNotNull = `(SELECT a.attnotnull FROM pg_attribute a WHERE a.attrelid = ${literal(table)}::regclass AND a.attname = ${literal(p.column)})`;
  const exists = `EXISTS (SELECT FROM pg_constraint WHERE conrelid = ${literal(table)}::regclass AND conname = ${literal(check)}`;
  return [
    {
      sql: [
        'DO $pgate$',
        'BEGIN',
        `  IF ${p.nullable === false ? 'true' : oldNotNull} AND NOT ${exists}) THEN`,
        `    ALTER TABLE ${table} ADD CONSTRAINT ${ident(check)} CHECK (${ident(target)} IS NOT NULL) NOT VALID;`,
        '  END IF;',
        'END',
        '$pgate$',
      ].join('\n'),
    },
    {
      sql: ['DO $pgate$', 'BEGIN', `  IF ${exists} AND NOT convalidated) THEN`, `    ALTER TABLE ${table} VALIDATE CONSTRAINT ${ident(check)};`, '  END IF;', 'END', '$pgate$'].join('\n'),
    },
  ];
}

/** SET NOT NULL, proven by the validated CHECK of `carriedNotNullSteps` (no scan), and the CHECK dropped. */
function setCarriedNotNull(p: AlterColumnParams, target: string, check: string): string[] {
  const table = tableSql({ schema: p.schema, table: p.table });
  return [
    `  IF EXISTS (SELECT FROM pg_constraint WHERE conrelid = tbl AND conname = ${literal(check)}) THEN`,
    `    ALTER TABLE ${table} ALTER COLUMN ${ident(target)} SET NOT NULL;`,
    `    ALTER TABLE ${table} DROP CONSTRAINT ${ident(check)};`,
    '  END IF;',
  ];
}

/** A generated index next to the table, as text for to_regclass (the table's schema, or the search_path). */
const objectInSchema = (p: AlterColumnParams, name: string): string => (p.schema === undefined ? ident(name) : `${ident(p.schema)}.${ident(name)}`);

// ---------------------------------------------------------------- constraints only

function constraintsPlan(p: AlterColumnParams): OperationOutput {
  const table = tableSql({ schema: p.schema, table: p.table });
  const contract = [...(p.nullable === false ? setNotNullSteps({ schema: p.schema, table: p.table }, p.column) : []), ...constraintSteps(p, p.column), ...defaultSteps(p, p.column)];
  const phases: Record<string, PhaseOutput> = {};
  if (p.nullable === true) {
    // A relaxation: harmless to the old app, and the new one may rely on it as soon as it runs.
    phases.expand = { steps: [{ sql: `ALTER TABLE ${table} ALTER COLUMN ${ident(p.column)} DROP NOT NULL` }], down: setNotNullSteps({ schema: p.schema, table: p.table }, p.column).map((s) => s.sql) };
  }
  if (contract.length > 0) phases.contract = { steps: contract };
  return { phases };
}

// ---------------------------------------------------------------- shared steps

/** A name for a constraint the operation adds to `target`. */
const constraintName = (p: AlterColumnParams, purpose: string): string => generatedName(p.table, p.name ?? p.column, purpose);

/**
 * The tightenings of `target`, each the safe way: constraints are added NOT
 * VALID (a brief lock; new writes are checked) and validated afterwards
 * (rows are scanned under a lock that lets writes through); UNIQUE goes
 * through an index built concurrently.
 */
function constraintSteps(p: AlterColumnParams, target: string): GeneratedStep[] {
  const table = tableSql({ schema: p.schema, table: p.table });
  const added: string[] = [];
  const steps: GeneratedStep[] = [];
  if (p.check !== undefined) {
    const name = ident(p.check.name ?? constraintName(p, 'check'));
    steps.push({ sql: `ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${p.check.constraint}) NOT VALID` });
    added.push(name);
  }
  if (p.references !== undefined) {
    const r = p.references;
    const name = ident(r.name ?? constraintName(p, 'fkey'));
    steps.push({ sql: `ALTER TABLE ${table} ADD CONSTRAINT ${name} FOREIGN KEY (${ident(target)}) ${columnReferencesSql(r)} NOT VALID` });
    added.push(name);
  }
  steps.push(...added.map((name) => ({ sql: `ALTER TABLE ${table} VALIDATE CONSTRAINT ${name}` })));
  if (p.unique === true) {
    const key = ident(constraintName(p, 'key'));
    steps.push(
      { sql: `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ${key} ON ${table} (${ident(target)})`, transaction: false },
      { sql: `ALTER TABLE ${table} ADD CONSTRAINT ${key} UNIQUE USING INDEX ${key}` },
    );
  }
  return steps;
}

function defaultSteps(p: AlterColumnParams, target: string): GeneratedStep[] {
  if (p.default === undefined) return [];
  const column = `ALTER TABLE ${tableSql({ schema: p.schema, table: p.table })} ALTER COLUMN ${ident(target)}`;
  return [{ sql: p.default === null ? `${column} DROP DEFAULT` : `${column} SET DEFAULT ${p.default}` }];
}

/**
 * The first step of a copy: refuses, before anything changes, what the plan
 * cannot carry over to the new column, so the file can still be fixed in
 * place. Reads the catalog only.
 */
function preCheck(p: AlterColumnParams): GeneratedStep {
  const table = tableSql({ schema: p.schema, table: p.table });
  const inPlace = p.name === undefined;
  const names = inPlaceNames(p);
  const lines = [
    'DO $pgate$',
    'DECLARE',
    `  tbl regclass := ${literal(table)}::regclass;`,
    `  col_name text := ${literal(p.column)};`,
    '  col smallint;',
    '  found_names text;',
    'BEGIN',
    '  SELECT attnum INTO col FROM pg_attribute WHERE attrelid = tbl AND attname = col_name AND NOT attisdropped;',
    '  IF col IS NULL THEN',
    "    RAISE EXCEPTION 'column % of % does not exist', col_name, tbl;",
    '  END IF;',
  ];
  if (!inPlace) {
    lines.push(
      // Foreign keys would keep pointing at the old column, which drop removes.
      "  SELECT string_agg(format('%s (referenced by %s)', c.conname, c.conrelid::regclass), ', ') INTO found_names",
      "    FROM pg_constraint c WHERE c.contype = 'f' AND c.confrelid = tbl AND col = ANY(c.confkey);",
      '  IF found_names IS NOT NULL THEN',
      "    RAISE EXCEPTION 'column % of % is referenced by foreign keys a new column cannot take over: %', col_name, tbl, found_names",
      "      USING HINT = 'drop those foreign keys first and add them again on the new column afterwards, or change the type in place (type without name)';",
      '  END IF;',
      "  IF EXISTS (SELECT FROM pg_constraint WHERE conrelid = tbl AND contype = 'p' AND col = ANY(conkey)) THEN",
      "    RAISE EXCEPTION 'column % of % is in the primary key: alterColumn with name cannot move a primary key to a new column', col_name, tbl",
      "      USING HINT = 'change the type in place (type without name), or rename with ALTER TABLE ... RENAME COLUMN in a migration of its own';",
      '  END IF;',
      ...(p.unique === true
        ? []
        : [
            '  IF EXISTS (SELECT FROM pg_index i WHERE i.indrelid = tbl AND i.indisunique AND i.indnkeyatts = 1 AND i.indkey[0] = col AND i.indpred IS NULL) THEN',
            "    RAISE EXCEPTION 'column % of % is unique: the new column would not be', col_name, tbl",
            "      USING HINT = 'add unique: true to the alterColumn operation';",
            '  END IF;',
          ]),
    );
  } else {
    // The single-column primary key or unique constraint moves with `unique: true`; anything else on the column is refused.
    const movesKey = `c.contype IN ('p', 'u') AND c.conkey = ARRAY[col]`;
    const carriedKey = p.unique === true ? ` AND NOT (${movesKey})` : '';
    lines.push(
      ...(p.unique === true
        ? []
        : [
            `  IF EXISTS (SELECT FROM pg_constraint c WHERE c.conrelid = tbl AND ${movesKey}) THEN`,
            "    RAISE EXCEPTION 'column % of % is a primary key or unique: its index must be built for the new type before the swap', col_name, tbl",
            "      USING HINT = 'add unique: true to the alterColumn operation';",
            '  END IF;',
          ]),
      ...(p.default !== undefined || p.type === undefined
        ? []
        : [
            '  IF EXISTS (SELECT FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum',
            `      WHERE a.attrelid = tbl AND a.attnum = col AND a.atttypid <> ${literal(p.type)}::regtype`,
            `        AND NOT EXISTS (SELECT FROM pg_cast WHERE castsource = a.atttypid AND casttarget = ${literal(p.type)}::regtype AND castcontext IN ('a', 'i'))) THEN`,
            "    RAISE EXCEPTION 'column % of % has a default the new type % cannot take', col_name, tbl, " + literal(p.type),
            "      USING HINT = 'give default: (an expression of the new type), or default: null';",
            '  END IF;',
          ]),
      "  SELECT string_agg(c.conname, ', ') INTO found_names FROM pg_constraint c",
      `    WHERE c.conrelid = tbl AND col = ANY(c.conkey)${carriedKey} AND c.conname <> ${literal(names.notNull)} AND c.contype <> 'n';`,
      '  IF found_names IS NOT NULL THEN',
      "    RAISE EXCEPTION 'column % of % has constraints an in-place type change does not carry over: %', col_name, tbl, found_names",
      "      USING HINT = 'drop them first and add them again afterwards (check:, references: of this operation add them to the new column)';",
      '  END IF;',
      "  SELECT string_agg(i.indexrelid::regclass::text, ', ') INTO found_names FROM pg_index i",
      "    WHERE i.indrelid = tbl AND EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid AND d.refobjid = tbl AND d.refobjsubid = col)",
      `      AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = tbl AND ${movesKey});`,
      '  IF found_names IS NOT NULL THEN',
      "    RAISE EXCEPTION 'column % of % is in indexes an in-place type change cannot build concurrently for the new type: %', col_name, tbl, found_names",
      "      USING HINT = 'drop them first and create them again afterwards (CREATE INDEX CONCURRENTLY), or give the column a new name';",
      '  END IF;',
    );
  }
  lines.push(
    "  SELECT string_agg(DISTINCT r.ev_class::regclass::text, ', ') INTO found_names FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid",
    "    WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = tbl AND d.refobjsubid = col AND r.ev_class <> tbl;",
    '  IF found_names IS NOT NULL THEN',
    "    RAISE EXCEPTION 'column % of % is used by views, which would keep the old column: %', col_name, tbl, found_names",
    "      USING HINT = 'drop the views first and create them again on the new shape afterwards';",
    '  END IF;',
    'END',
    '$pgate$',
  );
  return { sql: lines.join('\n') };
}
