import { type ColumnType, displayType } from './type-name.js';

/** What ALTER COLUMN ... TYPE does to the table's rows. */
export type TypeChangeVerdict =
  /** Binary-coercible widening: only the catalog changes (and nothing the old app writes is refused). */
  | { readonly kind: 'noRewrite' }
  | { readonly kind: 'rewrite'; readonly reason: string }
  /** The current type is unknown and the new one could be reached either way. */
  | { readonly kind: 'unknown'; readonly reason: string };

// Types reached without a rewrite from some other type: a binary-coercible
// cast or a typmod relaxation (varchar/numeric/varbit/time precision).
const RELAXABLE = new Set(['text', 'varchar', 'numeric', 'varbit', 'timestamp', 'timestamptz', 'time', 'timetz', 'interval', 'inet']);

// Well-known built-in types: a change *to* one of these (other than the
// relaxable ones) always rewrites, whatever the current type is.
const BUILTIN = new Set([
  'int2', 'int4', 'int8', 'float4', 'float8', 'bool', 'bpchar', 'date', 'uuid', 'json', 'jsonb', 'bytea', 'money',
  'cidr', 'macaddr', 'bit', 'xml', 'tsvector', 'oid', 'serial', 'bigserial', 'smallserial', 'point', 'char',
]);

/**
 * Judges a column type change the way ATColumnChangeRequiresRewrite does:
 * binary-coercible casts and typmod relaxations keep the rows; anything else,
 * or a USING expression doing real work, rewrites the table and its indexes.
 * `utcSession`: PostgreSQL 12+ with a zero-offset session TimeZone, where
 * timestamp and timestamptz store the same bits.
 */
export function judgeTypeChange(
  from: ColumnType | undefined,
  to: ColumnType | undefined,
  usingExpression: boolean,
  utcSession = false,
): TypeChangeVerdict {
  if (usingExpression) return { kind: 'rewrite', reason: 'the USING expression is evaluated for every row' };
  if (to === undefined) return { kind: 'unknown', reason: 'the new type could not be read' };
  if (from === undefined) {
    if (to.isArray || to.opaqueTypmods || BUILTIN.has(to.name)) {
      return { kind: 'rewrite', reason: `no type converts to ${displayType(to)} without rewriting` };
    }
    const target = displayType(to);
    return RELAXABLE.has(to.name)
      ? { kind: 'unknown', reason: `the current type is unknown; changing to ${target} rewrites unless it only relaxes a limit (e.g. varchar(n) to varchar(m>n) or text)` }
      : { kind: 'unknown', reason: `the current type is unknown and ${target} is not a built-in type` };
  }
  const rewrite = (why: string): TypeChangeVerdict => ({
    kind: 'rewrite',
    reason: `${displayType(from)} to ${displayType(to)} ${why}`,
  });
  if (from.opaqueTypmods || to.opaqueTypmods) return rewrite('has modifiers we cannot compare');
  if (from.isArray !== to.isArray) return rewrite('changes the storage of every value');
  if (from.isArray) return sameType(from, to) ? { kind: 'noRewrite' } : rewrite('converts every array element');
  if (sameType(from, to)) return { kind: 'noRewrite' };
  if (utcSession && TIMESTAMPS.has(from.name) && TIMESTAMPS.has(to.name)) {
    return relaxes({ ...from, name: to.name }, to) ? { kind: 'noRewrite' } : rewrite('shortens or re-rounds existing values');
  }
  return relaxes(from, to) ? { kind: 'noRewrite' } : rewrite(describeConversion(from, to));
}

function sameType(a: ColumnType, b: ColumnType): boolean {
  return a.name === b.name && a.typmods.length === b.typmods.length && a.typmods.every((m, i) => m === b.typmods[i]);
}

const TEXTUAL = new Set(['text', 'varchar']);
const TIMESTAMPS = new Set(['timestamp', 'timestamptz']);
const PRECISION_TYPES = new Set(['timestamp', 'timestamptz', 'time', 'timetz']);

function relaxes(from: ColumnType, to: ColumnType): boolean {
  const [fromLimit] = from.typmods;
  const [toLimit] = to.typmods;
  // text and varchar are binary compatible; only a new or shorter limit must check rows.
  if (TEXTUAL.has(from.name) && TEXTUAL.has(to.name)) {
    if (toLimit === undefined) return true;
    return from.name === 'varchar' && fromLimit !== undefined && toLimit >= fromLimit;
  }
  if (from.name === 'varbit' && to.name === 'varbit') {
    return toLimit === undefined || (fromLimit !== undefined && toLimit >= fromLimit);
  }
  if (from.name === 'numeric' && to.name === 'numeric') {
    // numeric(p,s) → numeric(p2,s) with p2 >= p keeps every value; a scale change re-rounds.
    if (to.typmods.length === 0) return true;
    if (from.typmods.length === 0 || fromLimit === undefined || toLimit === undefined) return false;
    return toLimit >= fromLimit && (from.typmods[1] ?? 0) === (to.typmods[1] ?? 0);
  }
  if (PRECISION_TYPES.has(from.name) && from.name === to.name) {
    // Raising fractional-second precision (max 6) never changes a stored value.
    if (toLimit === undefined || toLimit >= 6) return true;
    return fromLimit !== undefined && toLimit >= fromLimit;
  }
  if (from.name === 'interval' && to.name === 'interval') return to.typmods.length === 0;
  return from.name === 'cidr' && to.name === 'inet';
}

function describeConversion(from: ColumnType, to: ColumnType): string {
  if (from.name === to.name) return 'shortens or re-rounds existing values';
  if (TIMESTAMPS.has(from.name) && TIMESTAMPS.has(to.name)) {
    return 'reinterprets every value in the session time zone (no rewrite on PostgreSQL 12+ when the session TimeZone is UTC)';
  }
  return 'is not binary coercible';
}

// Zones PostgreSQL resolves to a fixed zero offset, the condition for the timestamp shortcut.
const UTC_ZONES = new Set(['utc', 'etc/utc', 'gmt', 'etc/gmt', 'uct', 'etc/uct', 'universal', 'etc/universal', 'zulu', 'etc/zulu', 'gmt0', 'etc/gmt0', 'gmt+0', 'gmt-0', 'greenwich', 'z']);

/** True when a TimeZone setting value has a zero offset all year. */
export function isUtcZone(zone: string | undefined): boolean {
  return zone !== undefined && UTC_ZONES.has(zone.trim().toLowerCase());
}
