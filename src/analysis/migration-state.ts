import { type RelationName, sameRelation } from './relation.js';
import type { ClassifiedStatement, NamedObject, ObjectClass } from './statement.js';
import type { ColumnType } from './type-name.js';

interface ColumnFact<T> {
  readonly table: RelationName;
  readonly column: string;
  readonly value: T;
}

/** What rules may ask about the migration so far; read-only. */
export interface MigrationView {
  /** Created earlier in this migration, hence empty and unused by any deployed app. */
  isNew(name: RelationName, objectClass?: ObjectClass): boolean;
  /** A validated `CHECK (column IS NOT NULL)` (or NOT NULL constraint) exists from earlier statements. */
  hasNotNullProof(table: RelationName, column: string): boolean;
  /** The column got a default earlier in this migration. */
  hasDefault(table: RelationName, column: string): boolean;
  /** The column's type as declared or changed earlier in this migration. */
  columnType(table: RelationName, column: string): ColumnType | undefined;
}

/**
 * Facts accumulated statement by statement across all steps and phases of one
 * migration. Mutable on purpose and private to analyze.ts; rules only see the
 * MigrationView interface.
 */
export class MigrationState implements MigrationView {
  readonly #created: NamedObject[] = [];
  /** Proofs by constraint name, so DROP CONSTRAINT can withdraw them. */
  readonly #proofs: ColumnFact<string>[] = [];
  readonly #pending: ColumnFact<string>[] = [];
  readonly #defaults: ColumnFact<true>[] = [];
  readonly #types: ColumnFact<ColumnType>[] = [];

  isNew(name: RelationName, objectClass: ObjectClass = 'relation'): boolean {
    return this.#created.some((o) => o.objectClass === objectClass && sameRelation(o.name, name));
  }

  hasNotNullProof(table: RelationName, column: string): boolean {
    return this.#proofs.some((p) => p.column === column && sameRelation(p.table, table));
  }

  hasDefault(table: RelationName, column: string): boolean {
    return this.#defaults.some((d) => d.column === column && sameRelation(d.table, table));
  }

  columnType(table: RelationName, column: string): ColumnType | undefined {
    return this.#types.findLast((t) => t.column === column && sameRelation(t.table, table))?.value;
  }

  /** Records what a statement leaves behind, after the rules have judged it. */
  apply(stmt: ClassifiedStatement): void {
    switch (stmt.kind) {
      case 'createTable':
        this.#created.push({ objectClass: 'relation', objectType: stmt.objectType, name: stmt.table });
        return;
      case 'createObject':
        this.#created.push(stmt.object);
        return;
      case 'createIndex':
        if (stmt.index !== undefined) {
          const name = stmt.table.schema === undefined ? { name: stmt.index } : { schema: stmt.table.schema, name: stmt.index };
          this.#created.push({ objectClass: 'relation', objectType: 'index', name });
        }
        return;
      case 'rename':
        if (stmt.subName === undefined && this.isNew(stmt.object.name, stmt.object.objectClass)) {
          const { schema } = stmt.object.name;
          const name = schema === undefined ? { name: stmt.newName } : { schema, name: stmt.newName };
          this.#created.push({ ...stmt.object, name });
        }
        return;
      case 'setSchema':
        if (this.isNew(stmt.object.name, stmt.object.objectClass)) {
          this.#created.push({ ...stmt.object, name: { schema: stmt.newSchema, name: stmt.object.name.name } });
        }
        return;
      case 'alterTable':
        this.#applyAlter(stmt.table, stmt.commands);
        return;
      default:
        return;
    }
  }

  #applyAlter(table: RelationName, commands: Extract<ClassifiedStatement, { kind: 'alterTable' }>['commands']): void {
    for (const cmd of commands) {
      switch (cmd.kind) {
        case 'addColumn':
          if (cmd.type !== undefined) this.#types.push({ table, column: cmd.column, value: cmd.type });
          if ((cmd.default !== undefined && cmd.default.kind !== 'null') || cmd.identity || cmd.generated !== undefined) {
            this.#defaults.push({ table, column: cmd.column, value: true });
          }
          break;
        case 'alterColumnType':
          if (cmd.type !== undefined) this.#types.push({ table, column: cmd.column, value: cmd.type });
          break;
        case 'setDefault':
          this.#defaults.push({ table, column: cmd.column, value: true });
          break;
        case 'dropDefault':
          removeWhere(this.#defaults, (d) => d.column === cmd.column && sameRelation(d.table, table));
          break;
        case 'addConstraint': {
          const { notNullColumn, name = '', notValid } = cmd.constraint;
          if (notNullColumn === undefined) break;
          (notValid ? this.#pending : this.#proofs).push({ table, column: notNullColumn, value: name });
          break;
        }
        case 'validateConstraint':
          for (const p of this.#pending) {
            if (p.value === cmd.name && sameRelation(p.table, table)) this.#proofs.push(p);
          }
          break;
        case 'dropConstraint':
          removeWhere(this.#proofs, (p) => p.value === cmd.name && sameRelation(p.table, table));
          break;
        default:
          break;
      }
    }
  }
}

function removeWhere<T>(items: T[], predicate: (item: T) => boolean): void {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item !== undefined && predicate(item)) items.splice(i, 1);
  }
}
