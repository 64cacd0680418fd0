import { walk } from './ast.js';
import { displayRelation, type RelationName, sameRelation } from './relation.js';
import type { ClassifiedStatement } from './statement.js';
import { LOCK_LEVELS, type LockLevel, type RelationLock, type StatementFacts } from './types.js';

/** A lock an earlier statement of the transaction took and holds until COMMIT. */
export interface HeldLock extends RelationLock {
  /** 1-based line of the statement that took it. */
  readonly line: number;
}

/** An enum value added earlier in the transaction and used again as a literal. */
export interface NewEnumValueUse {
  readonly typeName: string;
  readonly value: string;
  readonly line: number;
}

/** What rules may ask about the transaction block a statement runs in. */
export interface TransactionView {
  /** Why the statement runs inside a transaction block, for messages. */
  readonly reason: string;
  /** The strongest lock per relation earlier statements hold, on relations that existed before the migration. */
  readonly heldLocks: readonly HeldLock[];
  /** The line of a NOT VALID constraint `name` on `table` added earlier in this transaction. */
  notValidLine(table: RelationName, name: string): number | undefined;
  /** Values an earlier ALTER TYPE ... ADD VALUE of this transaction added that this statement writes as literals. */
  readonly newEnumValuesUsed: readonly NewEnumValueUse[];
}

interface AddedEnumValue {
  readonly typeName: RelationName;
  readonly value: string;
  readonly line: number;
}

/**
 * One open transaction block: PostgreSQL keeps every lock until COMMIT, so
 * what earlier statements took is still held by later ones. Also raises the
 * facts of earlier brief lock-taking statements to `lockDuration:
 * 'transaction'` once another statement follows them (a scan or rewrite is
 * long already; lock-held-in-transaction judges what follows it).
 */
export class TransactionState {
  readonly reason: string;
  readonly #held = new Map<string, HeldLock>();
  readonly #notValid: { readonly table: RelationName; readonly name: string; readonly line: number }[] = [];
  readonly #enumValues: AddedEnumValue[] = [];
  /** Indexes into the analysis' facts array of statements that took a lock in this transaction. */
  readonly #locking: number[] = [];

  constructor(reason: string) {
    this.reason = reason;
  }

  /** The view for a statement about to be judged; `node` is its parse tree, searched for new enum values. */
  view(node: unknown): TransactionView {
    const uses: NewEnumValueUse[] = [];
    if (this.#enumValues.length > 0) {
      const literals = stringLiterals(node);
      for (const added of this.#enumValues) {
        if (literals.has(added.value)) uses.push({ typeName: displayRelation(added.typeName), value: added.value, line: added.line });
      }
    }
    return {
      reason: this.reason,
      heldLocks: [...this.#held.values()],
      notValidLine: (table, name) => this.#notValid.find((c) => c.name === name && sameRelation(c.table, table))?.line,
      newEnumValuesUsed: uses,
    };
  }

  /**
   * Records a judged statement. `facts` is the analysis' array, where the
   * statement's own facts are last; `isExisting` says whether a relation (as
   * lock facts name it) existed before the migration: only those locks block
   * the application.
   */
  record(stmt: ClassifiedStatement, line: number, facts: StatementFacts[], isExisting: (relation: string) => boolean): void {
    if (stmt.kind === 'transaction') return;
    for (const index of this.#locking) {
      const earlier = facts[index];
      if (earlier !== undefined && earlier.lockDuration === 'brief') facts[index] = { ...earlier, lockDuration: 'transaction' };
    }
    const own = facts[facts.length - 1];
    if (own !== undefined && own.locks.length > 0) this.#locking.push(facts.length - 1);
    for (const lock of own?.locks ?? []) if (isExisting(lock.relation)) this.#hold(lock, line);
    if (stmt.kind === 'addEnumValue') this.#enumValues.push({ typeName: stmt.typeName, value: stmt.value, line });
    if (stmt.kind === 'alterTable') {
      for (const cmd of stmt.commands) {
        if (cmd.kind === 'addConstraint' && cmd.constraint.notValid && cmd.constraint.name !== undefined) {
          this.#notValid.push({ table: stmt.table, name: cmd.constraint.name, line });
        }
      }
    }
  }

  #hold(lock: RelationLock, line: number): void {
    const current = this.#held.get(lock.relation);
    if (current === undefined || strength(lock.level) > strength(current.level)) this.#held.set(lock.relation, { ...lock, line });
  }
}

function strength(level: LockLevel): number {
  return LOCK_LEVELS.indexOf(level);
}

/** Every string literal in a parse tree. */
function stringLiterals(node: unknown): ReadonlySet<string> {
  const out = new Set<string>();
  walk(node, (tag, body) => {
    if (tag !== 'A_Const') return;
    const sval = body['sval'];
    if (typeof sval === 'object' && sval !== null && 'sval' in sval && typeof sval.sval === 'string') out.add(sval.sval);
  });
  return out;
}
