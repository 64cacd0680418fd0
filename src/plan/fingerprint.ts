import { createHash } from 'node:crypto';
import type { Phase } from './phases.js';
import type { Unit } from './model.js';

/**
 * A unit's fingerprint: a hash of everything that decides what the phase does
 * (steps, gate, down). Key order is fixed so that reformatting a file does not
 * count as a change, while any change of meaning does.
 */
export function fingerprintUnit(unit: Unit): string {
  return createHash('sha256').update(canonicalJson({ steps: unit.steps, gate: unit.gate, down: unit.down })).digest('hex').slice(0, 16);
}

/** The phases whose fingerprint differs between what ran and what is on disk. */
export function changedPhases(
  recorded: Readonly<Partial<Record<Phase, string>>>,
  current: Readonly<Partial<Record<Phase, string>>>,
): Phase[] {
  const phases = new Set([...Object.keys(recorded), ...Object.keys(current)] as Phase[]);
  return [...phases].filter((phase) => recorded[phase] !== current[phase]);
}

function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
