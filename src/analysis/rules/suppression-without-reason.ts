import { isSuppressibleRuleId } from '../rule-ids.js';
import type { RuleHit } from '../rule-context.js';
import type { SuppressionComment } from '../suppression.js';

/** A suppression of a real rule that does not say why; it silences nothing. */
export function suppressionWithoutReason(s: SuppressionComment): RuleHit | undefined {
  if (!isSuppressibleRuleId(s.rule) || s.reason !== '') return undefined;
  return { severity: 'error', message: `the suppression of ${s.rule} gives no reason, so it silences nothing` };
}
