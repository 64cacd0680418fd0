/** The five phases of an expand/contract migration, in the order they run. */
export const PHASES = ['expand', 'dualWrite', 'backfill', 'contract', 'drop'] as const;

export type Phase = (typeof PHASES)[number];

/** Position of a phase in the run order (expand = 0). */
export function phaseIndex(phase: Phase): number {
  return PHASES.indexOf(phase);
}

export function isPhase(value: string): value is Phase {
  return (PHASES as readonly string[]).includes(value);
}
