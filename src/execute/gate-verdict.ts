import { evaluateGate, type GateVerdict } from '../gates/index.js';
import type { Migration, Unit } from '../plan/index.js';
import { gateFactsFor, type StateSnapshot } from './gate-facts.js';

/** Whether a unit's gate holds in this snapshot, judged exactly as `advance` judges it. For reports. */
export function gateVerdictFor(migration: Migration, unit: Unit, state: StateSnapshot): GateVerdict {
  return evaluateGate(unit.gate, gateFactsFor(migration, unit, state));
}
