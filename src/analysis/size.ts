import { displayRelation, type RelationName } from './relation.js';
import type { Severity, TableSize } from './types.js';

/** 10 MiB: below this a rewrite or scan finishes quickly enough to be a warning. */
export const DEFAULT_LARGE_TABLE_BYTES = 10 * 1024 * 1024;

/** How dangerous a size-dependent operation is on one table, and the sentence saying why. */
export interface SizeVerdict {
  readonly severity: Severity;
  /** The table's size was measured (a database was reachable and the table exists). */
  readonly known: boolean;
  /** e.g. `users is 8 kB, 12 rows` or `the size of users is unknown`. */
  readonly note: string;
}

export interface SizeSource {
  readonly sizes: ReadonlyMap<string, TableSize> | undefined;
  readonly largeTableBytes: number;
}

/** Looks a relation up as written, then by its unqualified lowercase name. */
export function lookupSize(rel: RelationName, sizes: ReadonlyMap<string, TableSize> | undefined): TableSize | undefined {
  if (sizes === undefined) return undefined;
  return sizes.get(displayRelation(rel)) ?? sizes.get(rel.name) ?? sizes.get(rel.name.toLowerCase());
}

/** Unknown or large tables make size-dependent findings errors; known small ones warnings. */
export function sizeVerdict(rel: RelationName, source: SizeSource): SizeVerdict {
  const name = displayRelation(rel);
  const size = lookupSize(rel, source.sizes);
  if (size === undefined) return { severity: 'error', known: false, note: `the size of ${name} is unknown` };
  const rows = `${Math.round(size.rows)} ${Math.round(size.rows) === 1 ? 'row' : 'rows'}`;
  return {
    severity: size.bytes >= source.largeTableBytes ? 'error' : 'warning',
    known: true,
    note: `${name} is ${formatBytes(size.bytes)}, ${rows}`,
  };
}

/** Human size in the units pg_size_pretty uses (bytes, kB, MB, GB, TB). */
export function formatBytes(bytes: number): string {
  const units = ['kB', 'MB', 'GB', 'TB'] as const;
  if (bytes < 1024) return `${bytes} bytes`;
  let value = bytes / 1024;
  let unit: (typeof units)[number] = 'kB';
  for (const next of units.slice(1)) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} ${unit}`;
}
