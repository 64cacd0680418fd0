import type { DefaultKind } from './expression.js';
import type { RelationName } from './relation.js';
import type { ColumnType } from './type-name.js';
import type { LockLevel } from './types.js';

/** The constraint kinds whose safety rules differ. */
export type ConstraintType = 'check' | 'foreignKey' | 'unique' | 'primaryKey' | 'exclusion' | 'notNull' | 'other';

export interface ConstraintInfo {
  readonly type: ConstraintType;
  readonly name?: string;
  /** `NOT VALID` was given: existing rows are not checked now. */
  readonly notValid: boolean;
  /** `UNIQUE/PRIMARY KEY USING INDEX name`: the index already exists. */
  readonly usingIndex?: string;
  /** The referenced table of a FOREIGN KEY. */
  readonly references?: RelationName;
  /** `CHECK (col IS NOT NULL)` or a NOT NULL constraint: the column it proves. */
  readonly notNullColumn?: string;
}

/** One ALTER TABLE subcommand, reduced to what rules and lock facts need. */
export type AlterCommand =
  | {
      readonly kind: 'addColumn';
      readonly column: string;
      readonly type?: ColumnType;
      readonly default?: DefaultKind;
      readonly notNull: boolean;
      readonly identity: boolean;
      /** GENERATED ALWAYS AS (expr): STORED computes every row now; VIRTUAL (PG 18+) does not. */
      readonly generated?: 'stored' | 'virtual';
      /** CHECK / REFERENCES / UNIQUE / PRIMARY KEY written inline on the column. */
      readonly constraints: readonly ConstraintInfo[];
    }
  | { readonly kind: 'dropColumn'; readonly column: string }
  | { readonly kind: 'alterColumnType'; readonly column: string; readonly type?: ColumnType; readonly usingExpression: boolean }
  | { readonly kind: 'setNotNull'; readonly column: string }
  | { readonly kind: 'dropNotNull'; readonly column: string }
  | { readonly kind: 'setDefault'; readonly column: string }
  | { readonly kind: 'dropDefault'; readonly column: string }
  | { readonly kind: 'addConstraint'; readonly constraint: ConstraintInfo }
  | { readonly kind: 'validateConstraint'; readonly name: string }
  | { readonly kind: 'dropConstraint'; readonly name: string }
  | { readonly kind: 'attachPartition'; readonly partition: RelationName }
  | { readonly kind: 'detachPartition'; readonly partition: RelationName; readonly concurrent: boolean }
  /** SET LOGGED / SET UNLOGGED / SET ACCESS METHOD / SET TABLESPACE: the table is copied. */
  | { readonly kind: 'rewriteTable'; readonly what: string }
  /** Anything else, by parser subtype (`AT_SetStatistics`, ...); locks.ts maps it. */
  | { readonly kind: 'other'; readonly subtype: string };

/** Broad class of a named object, for "created earlier in this migration" bookkeeping. */
export type ObjectClass = 'relation' | 'routine' | 'type' | 'other';

export interface NamedObject {
  readonly objectClass: ObjectClass;
  /** `table`, `view`, `function`, ... as PostgreSQL's syntax names it. */
  readonly objectType: string;
  readonly name: RelationName;
  /** For triggers, policies and rules: their own name; `name` is then their table. */
  readonly member?: string;
}

/**
 * Our small union over the libpg-query AST (built by classify.ts). Rules and
 * lock facts never see raw parser nodes.
 */
export type ClassifiedStatement =
  | {
      readonly kind: 'createTable';
      readonly table: RelationName;
      readonly objectType: 'table' | 'materialized view';
      readonly references: readonly RelationName[];
      readonly partitionOf?: RelationName;
      readonly reads: readonly RelationName[];
    }
  | { readonly kind: 'createObject'; readonly object: NamedObject; readonly nodeName: string }
  | {
      readonly kind: 'createIndex';
      readonly table: RelationName;
      readonly index?: string;
      readonly concurrent: boolean;
      readonly unique: boolean;
    }
  | {
      readonly kind: 'alterTable';
      readonly table: RelationName;
      /** ALTER TABLE / ALTER INDEX / ALTER VIEW / ... */
      readonly objectType: string;
      readonly commands: readonly AlterCommand[];
    }
  | {
      readonly kind: 'rename';
      readonly object: NamedObject;
      /** For column / constraint renames: the old sub-name; the object is then its table. */
      readonly subName?: string;
      readonly renamedType: string;
      readonly newName: string;
    }
  | { readonly kind: 'setSchema'; readonly object: NamedObject; readonly newSchema: string }
  | { readonly kind: 'drop'; readonly objectType: string; readonly objects: readonly NamedObject[]; readonly concurrent: boolean }
  | { readonly kind: 'renameEnumValue'; readonly typeName: RelationName; readonly from: string; readonly to: string }
  | { readonly kind: 'addEnumValue'; readonly typeName: RelationName; readonly value: string }
  | {
      readonly kind: 'insert' | 'update' | 'delete' | 'merge';
      readonly table: RelationName;
      /** A WHERE that can select fewer than all rows: absent, `true` and other visible tautologies are not. */
      readonly hasWhere: boolean;
      readonly reads: readonly RelationName[];
    }
  | { readonly kind: 'select'; readonly reads: readonly RelationName[]; readonly locksRows: boolean }
  | { readonly kind: 'truncate'; readonly tables: readonly RelationName[] }
  | { readonly kind: 'lockTable'; readonly tables: readonly RelationName[]; readonly mode: LockLevel }
  | { readonly kind: 'vacuum'; readonly tables: readonly RelationName[]; readonly full: boolean; readonly analyzeOnly: boolean }
  | { readonly kind: 'cluster'; readonly table?: RelationName }
  | {
      readonly kind: 'reindex';
      readonly target: 'index' | 'table' | 'schema' | 'database' | 'system';
      readonly relation?: RelationName;
      readonly name: string;
      readonly concurrent: boolean;
    }
  | { readonly kind: 'refreshMaterializedView'; readonly view: RelationName; readonly concurrent: boolean }
  | { readonly kind: 'createTrigger'; readonly table: RelationName }
  | { readonly kind: 'transaction'; readonly action: 'begin' | 'commit' | 'rollback' | 'other' }
  /** SET / SET LOCAL / RESET of a setting; `value` is undefined for DEFAULT and RESET. */
  | { readonly kind: 'setting'; readonly name: string; readonly value?: string; readonly local: boolean }
  /** Statements no rule inspects; `name` is the camelCase statement kind (`createFunction`, `do`, ...). */
  | { readonly kind: 'other'; readonly name: string; readonly outsideTransactionOnly: boolean };
