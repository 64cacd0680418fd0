import type { Phase } from '../plan/index.js';
import { redactDeep } from '../secrets.js';
import type { Queryable } from './db.js';
import type { EventKind } from './store.js';

/** One entry of the event log, as written. */
export interface StateEvent {
  readonly kind: EventKind;
  readonly migrationId: string | null;
  readonly phase: Phase | null;
  readonly detail: object;
}

/**
 * Changes to the state (INSERTs, UPDATEs, DELETEs) and their event as one
 * statement in the state schema `s` (quoted): one round trip, committed
 * together. The event's parameters follow `params`. `result`, a SELECT,
 * gives the rows; it reads the state as it was before the changes.
 */
export async function changeWithEvent<R extends object = object>(
  db: Queryable,
  s: string,
  changes: readonly string[],
  params: readonly unknown[],
  event: StateEvent,
  result = 'SELECT',
): Promise<R[]> {
  const [kind, id, phase, detail] = [1, 2, 3, 4].map((i) => `$${params.length + i}`);
  const insert = `INSERT INTO ${s}.events (kind, migration_id, phase, detail) VALUES (${kind}, ${id}, ${phase}, ${detail})`;
  const parts = [...changes, insert].map((sql, i) => `change_${i} AS (${sql})`);
  const { rows } = await db.query<R>(`WITH ${parts.join(',\n')}\n${result}`, [
    ...params,
    event.kind,
    event.migrationId,
    event.phase,
    JSON.stringify(redactDeep(event.detail)),
  ]);
  return rows;
}

/** Puts one event in the log of the state schema `s` (quoted). */
export async function recordEvent(db: Queryable, s: string, event: StateEvent): Promise<void> {
  await changeWithEvent(db, s, [], [], event);
}
