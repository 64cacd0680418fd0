import { assertNever } from '../errors.js';
import type { Gate } from '../plan/index.js';

/** A gate for people: `marker "api-v1-retired" and soak 24h`. */
export function describeGate(gate: Gate): string {
  switch (gate.kind) {
    case 'marker':
      return `marker "${gate.name}"`;
    case 'appVersion':
      return `app "${gate.app}" at ${gate.range}`;
    case 'soak':
      return `soak ${gate.text} after the previous phase`;
    case 'approval':
      return 'manual approval';
    case 'all':
      return gate.gates.map((g) => (g.kind === 'all' ? `(${describeGate(g)})` : describeGate(g))).join(' and ');
    default:
      return assertNever(gate);
  }
}
