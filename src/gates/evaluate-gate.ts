import semver from 'semver';
import { assertNever } from '../errors.js';
import { formatDuration, type Gate, type Phase } from '../plan/index.js';

/** What gates are judged on; loaded from the state store by the caller. */
export interface GateFacts {
  /** Names of every recorded marker. */
  readonly markers: ReadonlySet<string>;
  /** The latest recorded deploy's version, per app. */
  readonly deployedVersions: ReadonlyMap<string, string>;
  /** The unit the gate guards, for approval lookups and messages. */
  readonly unit: { readonly migrationId: string; readonly phase: Phase };
  /** Whether an approval was recorded for this unit. */
  readonly approved: boolean;
  /** When the previous declared phase of this migration finished; undefined if it has not (or there is none). */
  readonly previousPhaseFinishedAt: Date | undefined;
  readonly now: Date;
}

export type GateVerdict =
  | { readonly holds: true }
  | { readonly holds: false; /** What is missing, for people: "marker \"api-reads-new\" not recorded". */ readonly missing: string };

/** Decides whether a gate holds. Pure: all facts come in as arguments. */
export function evaluateGate(gate: Gate | undefined, facts: GateFacts): GateVerdict {
  if (gate === undefined) return { holds: true };
  switch (gate.kind) {
    case 'marker':
      return facts.markers.has(gate.name)
        ? { holds: true }
        : { holds: false, missing: `marker "${gate.name}" not recorded (run: migrate mark ${quoteArg(gate.name)})` };
    case 'appVersion': {
      const deployed = facts.deployedVersions.get(gate.app);
      if (deployed === undefined) {
        return { holds: false, missing: `no deploy of app "${gate.app}" recorded; needs a version in ${gate.range}` };
      }
      return semver.satisfies(deployed, gate.range, { includePrerelease: true })
        ? { holds: true }
        : { holds: false, missing: `app "${gate.app}" is at ${deployed}; needs a version in ${gate.range}` };
    }
    case 'soak': {
      if (facts.previousPhaseFinishedAt === undefined) {
        return { holds: false, missing: `soak ${gate.text}: the previous phase has not finished` };
      }
      const elapsed = facts.now.getTime() - facts.previousPhaseFinishedAt.getTime();
      return elapsed >= gate.ms
        ? { holds: true }
        : { holds: false, missing: `soak ${gate.text}: ${formatDuration(gate.ms - elapsed)} left` };
    }
    case 'approval':
      return facts.approved
        ? { holds: true }
        : {
            holds: false,
            missing: `approval not recorded (run: migrate approve ${facts.unit.migrationId} ${facts.unit.phase} --by <you>)`,
          };
    case 'all': {
      const missing = gate.gates.flatMap((g) => {
        const verdict = evaluateGate(g, facts);
        return verdict.holds ? [] : [verdict.missing];
      });
      return missing.length === 0 ? { holds: true } : { holds: false, missing: missing.join('; ') };
    }
    default:
      return assertNever(gate);
  }
}

function quoteArg(text: string): string {
  return /^[\w.:@/-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
