import { isRuleId, isSuppressibleRuleId } from '../rule-ids.js';
import type { RuleHit } from '../rule-context.js';
import type { SuppressionComment } from '../suppression.js';

/** A suppression naming no rule, an unknown rule, or a suppression rule. */
export function unknownSuppressionRule(s: SuppressionComment): RuleHit | undefined {
  if (isSuppressibleRuleId(s.rule)) return undefined;
  const message =
    s.rule === ''
      ? 'the suppression names no rule'
      : isRuleId(s.rule)
        ? `${s.rule} cannot itself be suppressed: it is about suppressions`
        : `the suppression names ${s.rule}, which is not a phasegate rule`;
  return { severity: 'error', message };
}
