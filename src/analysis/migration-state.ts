import { type RelationName, sameRelation } from './relation.js';
import type { ClassifiedStatement, NamedObject, ObjectClass } from './statement.js';
import type { ColumnType } from './type-name.js';

interface ColumnFact<T> {
  readonly table: RelationName;
  readonly column: string;
  readonly value: T;
}

/** Facts about columns, indexed by unqualified table name and column so lookups stay O(1). */
class ColumnFacts<T> {
  readonly #byKey = new Map<string, ColumnFact<T>[]>();

  static #key(table: RelationName, column: string): string {
    return `${table.name}\u0000${column}`;
  }

  add(fact: ColumnFact<T>): void {
    const key = ColumnFacts.#key(fact.table, fact.column);
    const list = this.#byKey.get(key);
    if (list === undefined) this.#byKey.set(key, [fact]);
    else list.push(fact);
  }

  /** Matching facts, oldest first. */
  find(table: RelationName, column: string): readonly ColumnFact<T>[] {
    return (this.#byKey.get(ColumnFacts.#key(table, column)) ?? []).filter((f) => sameRelation(f.table, table));
  }

  remove(table: RelationName, column: string | undefined, predicate: (fact: ColumnFact<T>) => boolean): void {
    const lists = column === undefined ? [...this.#byKey.values()] : [this.#byKey.get(ColumnFacts.#key(table, column)) ?? []];
    for (const list of lists) {
      for (let i = list.length - 1; i >= 0; i--) {
        const fact = list[i];
        if (fact !== undefined && sameRelation(fact.table, table) && predicate(fact)) list.splice(i, 1);
      }
    }
  }

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
  /** The name was given by an earlier RENAME of an existing object: no deployed app uses it. */
  isRenamedHere(name: RelationName, objectClass?: ObjectClass): boolean;
  /** The TimeZone an earlier SET in this migration chose, if any. */
  readonly timeZone: string | undefined;
}

/**
 * Facts accumulated statement by statement across all steps and phases of one
 * migration. Mutable on purpose and private to analyze.ts; rules only see the
 * MigrationView interface.
 */
export class MigrationState implements MigrationView {
  /** Created objects by unqualified name: lookups stay O(1) in migrations with thousands of objects. */
  readonly #created = new Map<string, NamedObject[]>();
  /** Proofs by constraint name, so DROP CONSTRAINT can withdraw them. */
  readonly #proofs = new ColumnFacts<string>();
  /** NOT VALID `CHECK (col IS NOT NULL)` constraints by name, waiting for VALIDATE CONSTRAINT. */
  readonly #pending: ColumnFact<string>[] = [];
  readonly #defaults = new ColumnFacts<true>();
  readonly #types = new ColumnFacts<ColumnType>();
  readonly #droppedDefaults = new ColumnFacts<true>();
  /** Existing objects renamed or moved: not new (they hold data), but their new names exist only after this. */
  readonly #renamed: NamedObject[] = [];
  #timeZone: string | undefined;

  get timeZone(): string | undefined {
    return this.#timeZone;
  }

  isRenamedHere(name: RelationName, objectClass: ObjectClass = 'relation'): boolean {
    return this.#renamed.some((o) => o.objectClass === objectClass && sameRelation(o.name, name));
  }

  isNew(name: RelationName, objectClass: ObjectClass = 'relation'): boolean {
    const candidates = this.#created.get(name.name);
    return candidates !== undefined && candidates.some((o) => o.objectClass === objectClass && sameRelation(o.name, name));
  }

  /**
   * Every name a relation gets from this migration so far: created (under each
   * name it had) or an existing one renamed or moved. Such a name need not
   * exist before the migration runs.
   */
  createdRelations(): RelationName[] {
    const created = [...this.#created.values()].flatMap((list) => list.filter((o) => o.objectClass === 'relation').map((o) => o.name));
    return [...created, ...this.#renamed.filter((o) => o.objectClass === 'relation').map((o) => o.name)];
  }

  hasNotNullProof(table: RelationName, column: string): boolean {
    return this.#proofs.find(table, column).length > 0;
  }

  hasDefault(table: RelationName, column: string): boolean {
    return this.#defaults.find(table, column).length > 0;
  }

  /** An earlier DROP DEFAULT in this migration outdates what the catalog says. */
  droppedDefault(table: RelationName, column: string): boolean {
    return this.#droppedDefaults.find(table, column).length > 0;
  }

  columnType(table: RelationName, column: string): ColumnType | undefined {
    const facts = this.#types.find(table, column);
    return facts[facts.length - 1]?.value;
  }

  #remember(object: NamedObject): void {
    const list = this.#created.get(object.name.name);
    if (list === undefined) this.#created.set(object.name.name, [object]);
    else list.push(object);
  }

  /** Records what a statement leaves behind, after the rules have judged it. */
  apply(stmt: ClassifiedStatement): void {
    switch (stmt.kind) {
      case 'createTable':
        this.#remember({ objectClass: 'relation', objectType: stmt.objectType, name: stmt.table });
        return;
      case 'createObject':
        this.#remember(stmt.object);
        return;
      case 'createIndex':
        if (stmt.index !== undefined) {
          const name = stmt.table.schema === undefined ? { name: stmt.index } : { schema: stmt.table.schema, name: stmt.index };
          this.#remember({ objectClass: 'relation', objectType: 'index', name });
        }
        return;
      case 'rename': {
        if (stmt.subName !== undefined) return;
        const { schema } = stmt.object.name;
        const renamed = { ...stmt.object, name: schema === undefined ? { name: stmt.newName } : { schema, name: stmt.newName } };
        if (this.isNew(stmt.object.name, stmt.object.objectClass)) this.#remember(renamed);
        else this.#renamed.push(renamed);
        return;
      }
      case 'setting':
        // SET LOCAL ends with its transaction; being conservative, only a session SET counts.
        if (stmt.name === 'timezone' && !stmt.local) this.#timeZone = stmt.value ?? 'DEFAULT';
        return;
      case 'setSchema': {
        const name = { schema: stmt.newSchema, name: stmt.object.name.name };
        if (this.isNew(stmt.object.name, stmt.object.objectClass)) this.#remember({ ...stmt.object, name });
        else this.#renamed.push({ ...stmt.object, name });
        return;
      }
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
          if (cmd.type !== undefined) this.#types.add({ table, column: cmd.column, value: cmd.type });
          if ((cmd.default !== undefined && cmd.default.kind !== 'null') || cmd.identity || cmd.generated !== undefined) {
            this.#defaults.add({ table, column: cmd.column, value: true });
          }
          break;
        case 'alterColumnType':
          if (cmd.type !== undefined) this.#types.add({ table, column: cmd.column, value: cmd.type });
          break;
        case 'setDefault':
          this.#defaults.add({ table, column: cmd.column, value: true });
          this.#droppedDefaults.remove(table, cmd.column, () => true);
          break;
        case 'dropDefault':
          this.#defaults.remove(table, cmd.column, () => true);
          this.#droppedDefaults.add({ table, column: cmd.column, value: true });
          break;
        case 'addConstraint': {
          const { notNullColumn, name = '', notValid } = cmd.constraint;
          if (notNullColumn === undefined) break;
          const fact = { table, column: notNullColumn, value: name };
          if (notValid) this.#pending.push(fact);
          else this.#proofs.add(fact);
          break;
        }
        case 'validateConstraint':
          for (const p of this.#pending) {
            if (p.value === cmd.name && sameRelation(p.table, table)) this.#proofs.add(p);
          }
          break;
        case 'dropConstraint':
          // The constraint name does not say which column it proved, so look at all of them.
          this.#proofs.remove(table, undefined, (p) => p.value === cmd.name);
          break;
        default:
          break;
      }
    }
  }
}

