/** Rules that judge one SQL statement; each has a file under `rules/`. */
export const STATEMENT_RULE_IDS = [
  'non-concurrent-index',
  'concurrently-in-transaction',
  'validated-constraint',
  'constraint-builds-index',
  'set-not-null-without-check',
  'rewriting-type-change',
  'add-column-rewrite',
  'table-rewrite',
  'breaking-change-outside-contract',
  'truncate',
  'lock-table',
  'vacuum-full',
  'cluster',
  'non-concurrent-reindex',
  'non-concurrent-refresh',
  'unbounded-dml',
  'drop-before-drop-phase',
  'lock-held-in-transaction',
  'enum-value-in-transaction',
] as const;

/** Rules about `-- phasegate:allow` comments themselves; they cannot be suppressed. */
export const SUPPRESSION_RULE_IDS = ['suppression-without-reason', 'stale-suppression', 'unknown-suppression-rule'] as const;

/** Findings the engine itself reports (SQL it could not read); suppressible like statement rules, with a reason. */
export const ENGINE_RULE_IDS = ['unanalysed-code'] as const;

export type StatementRuleId = (typeof STATEMENT_RULE_IDS)[number];
export type SuppressionRuleId = (typeof SUPPRESSION_RULE_IDS)[number];
export type EngineRuleId = (typeof ENGINE_RULE_IDS)[number];
/** Every rule id phasegate can report, kebab-case. */
export type RuleId = StatementRuleId | SuppressionRuleId | EngineRuleId;

/** All rule ids in catalogue order. */
export const RULE_IDS: readonly RuleId[] = [...STATEMENT_RULE_IDS, ...SUPPRESSION_RULE_IDS, ...ENGINE_RULE_IDS];

export function isStatementRuleId(value: string): value is StatementRuleId {
  return (STATEMENT_RULE_IDS as readonly string[]).includes(value);
}

/** Rules a `-- phasegate:allow` comment may silence: statement rules, and dynamic SQL reviewed by hand. */
export function isSuppressibleRuleId(value: string): value is StatementRuleId | EngineRuleId {
  return isStatementRuleId(value) || (ENGINE_RULE_IDS as readonly string[]).includes(value);
}

export function isRuleId(value: string): value is RuleId {
  return (RULE_IDS as readonly string[]).includes(value);
}
