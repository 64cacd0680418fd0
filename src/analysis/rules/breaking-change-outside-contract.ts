import type { Phase } from '../../plan/index.js';
import { describeObject } from '../describe.js';
import { displayRelation } from '../relation.js';
import type { RuleContext, RuleHit } from '../rule-context.js';
import type { AlterCommand, ClassifiedStatement, NamedObject } from '../statement.js';
import { displayType } from '../type-name.js';
import { DATA_HOLDING } from './drop-before-drop-phase.js';

const ALLOWED: ReadonlySet<Phase> = new Set(['contract', 'drop']);

// Objects an application refers to by name: dropping or renaming them breaks it.
const APP_VISIBLE = new Set([
  'table', 'view', 'materialized view', 'foreign table', 'sequence', 'column', 'attribute',
  'function', 'procedure', 'routine', 'aggregate', 'type', 'domain', 'schema',
]);

/**
 * During expand, dualWrite and backfill the previous app version is still
 * running against the schema; anything it relies on must keep working.
 */
export function breakingChangeOutsideContract(stmt: ClassifiedStatement, ctx: RuleContext): readonly RuleHit[] {
  if (ALLOWED.has(ctx.phase)) return [];
  // A name this migration created or gave by RENAME is unknown to the running app.
  const isOld = (o: NamedObject): boolean => !ctx.migration.isNew(o.name, o.objectClass) && !ctx.migration.isRenamedHere(o.name, o.objectClass);
  const breaks = (what: string, detail: string): RuleHit => ({
    severity: 'error',
    message: `${what} in the ${ctx.phase} phase breaks app versions still running against the old schema: ${detail}`,
  });
  switch (stmt.kind) {
    case 'drop':
      // Drops that lose data are drop-before-drop-phase's, in every phase before drop.
      if (!APP_VISIBLE.has(stmt.objectType) || DATA_HOLDING.has(stmt.objectType)) return [];
      return stmt.objects.filter(isOld).map((o) => breaks(`DROP ${describeObject(o)}`, 'they still query it'));
    case 'rename': {
      if (!APP_VISIBLE.has(stmt.renamedType) || !isOld(stmt.object)) return [];
      const old = stmt.subName === undefined ? describeObject(stmt.object) : `${stmt.renamedType.toUpperCase()} ${displayRelation(stmt.object.name)}.${stmt.subName}`;
      return [breaks(`RENAME ${old} TO ${stmt.newName}`, `they still use the old name`)];
    }
    case 'setSchema':
      if (!APP_VISIBLE.has(stmt.object.objectType) || !isOld(stmt.object)) return [];
      return [breaks(`SET SCHEMA ${stmt.newSchema} on ${describeObject(stmt.object)}`, 'they still find it in its old schema')];
    case 'renameEnumValue':
      if (ctx.migration.isNew(stmt.typeName, 'type')) return [];
      return [breaks(`RENAME VALUE '${stmt.from}' of type ${displayRelation(stmt.typeName)}`, `they still write '${stmt.from}'`)];
    case 'alterTable':
      if (ctx.migration.isNew(stmt.table)) return [];
      return stmt.commands.flatMap((cmd) => alterBreak(stmt.table, cmd, ctx, breaks));
    default:
      return [];
  }
}

function alterBreak(
  tableName: Extract<ClassifiedStatement, { kind: 'alterTable' }>['table'],
  cmd: AlterCommand,
  ctx: RuleContext,
  breaks: (what: string, detail: string) => RuleHit,
): readonly RuleHit[] {
  const table = displayRelation(tableName);
  switch (cmd.kind) {
    case 'alterColumnType': {
      const verdict = ctx.typeChange(tableName, cmd);
      // A pure relaxation (or one we cannot rule out) is invisible to the old app.
      if (verdict.kind !== 'rewrite') return [];
      const target = cmd.type === undefined ? 'a new type' : displayType(cmd.type);
      return [breaks(`ALTER COLUMN ${table}.${cmd.column} TYPE ${target}`, 'they read and write the old type')];
    }
    case 'setNotNull':
      if (ctx.hasDefault(tableName, cmd.column) || ctx.catalogColumn(tableName, cmd.column)?.notNull === true) return [];
      return [breaks(`SET NOT NULL on ${table}.${cmd.column} without a default`, `versions that do not write ${cmd.column} fail their INSERTs`)];
    case 'addConstraint':
      if (cmd.constraint.type !== 'notNull' || cmd.constraint.notNullColumn === undefined) return [];
      if (ctx.hasDefault(tableName, cmd.constraint.notNullColumn)) return [];
      return [breaks(`NOT NULL constraint on ${table}.${cmd.constraint.notNullColumn} without a default`, 'versions that do not write it fail their INSERTs')];
    case 'addColumn': {
      const hasDefault = (cmd.default !== undefined && cmd.default.kind !== 'null') || cmd.identity || cmd.generated !== undefined;
      if (!cmd.notNull || hasDefault) return [];
      return [breaks(`ADD COLUMN ${table}.${cmd.column} NOT NULL without a default`, 'it fails on a non-empty table, and versions that do not write it fail their INSERTs')];
    }
    case 'dropDefault':
      return [breaks(`DROP DEFAULT on ${table}.${cmd.column}`, `versions that omit ${cmd.column} on INSERT now write NULL or fail`)];
    default:
      return [];
  }
}
