import { isSuppressibleRuleId } from '../rule-ids.js';
import type { RuleHit } from '../rule-context.js';
import type { SuppressionComment } from '../suppression.js';

/** A well-formed suppression that did not silence a finding. */
export function staleSuppression(s: SuppressionComment, used: boolean): RuleHit | undefined {
  if (used || !isSuppressibleRuleId(s.rule) || s.reason === '') return undefined;
  return { severity: 'warning', message: `the suppression of ${s.rule} silences nothing: ${s.rule} does not fire on the statement directly below it` };
}
