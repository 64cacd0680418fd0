import { unitName } from '../plan/index.js';
import { installedVersion, type Queryable, type StateStore } from '../state/index.js';
import type { StateSnapshot } from './gate-facts.js';

/**
 * Reads everything gates and reports need in one go. A database where
 * phasegate never ran reads as empty, so read-only commands never create
 * the state schema.
 */
export async function readState(db: Queryable, store: StateStore, schema: string): Promise<StateSnapshot> {
  if ((await installedVersion(db, schema)) === 0) {
    return { units: new Map(), markers: [], approvals: [], fingerprints: new Map(), now: await store.now() };
  }
  const units = await store.units();
  return {
    units: new Map(units.map((u) => [unitName(u), u])),
    markers: await store.markers(),
    approvals: await store.approvals(),
    fingerprints: await store.fingerprints(),
    now: await store.now(),
  };
}
