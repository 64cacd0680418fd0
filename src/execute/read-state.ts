import { unitName } from '../plan/index.js';
import { installedVersion, type Queryable, type StateStore } from '../state/index.js';
import type { StateSnapshot } from './gate-facts.js';

/**
 * Reads everything gates and reports need in one go. A database where
 * phasegate never ran reads as empty, so read-only commands never create
 * the state schema.
 * @throws PhasegateError (STATE_INVALID) for a newer or damaged state schema.
 */
export async function readState(db: Queryable, store: StateStore, schema: string): Promise<StateSnapshot> {
  if ((await installedVersion(db, schema)) === 0) {
    return { units: new Map(), markers: [], approvals: [], fingerprints: new Map(), committed: new Set(), now: await store.now() };
  }
  return readInstalledState(store);
}

/** The same, from a state schema known to be installed and current (ensureStateSchema ran under the runner lock). */
export async function readInstalledState(store: StateStore): Promise<StateSnapshot> {
  return stateSnapshotOf(await store.snapshot());
}

/** The state store's snapshot as gates and reports take it: units by name. */
export function stateSnapshotOf({ units, ...rest }: Awaited<ReturnType<StateStore['snapshot']>>): StateSnapshot {
  return { units: new Map(units.map((u) => [unitName(u), u])), ...rest };
}
