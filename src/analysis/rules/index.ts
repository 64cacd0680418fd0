import type { StatementRuleId, SuppressionRuleId } from '../rule-ids.js';
import type { RuleHit, StatementRule } from '../rule-context.js';
import type { SuppressionComment } from '../suppression.js';
import { addColumnRewrite } from './add-column-rewrite.js';
import { breakingChangeOutsideContract } from './breaking-change-outside-contract.js';
import { cluster } from './cluster.js';
import { concurrentlyInTransaction } from './concurrently-in-transaction.js';
import { constraintBuildsIndex } from './constraint-builds-index.js';
import { dropBeforeDropPhase } from './drop-before-drop-phase.js';
import { enumValueInTransaction } from './enum-value-in-transaction.js';
import { lockHeldInTransaction } from './lock-held-in-transaction.js';
import { lockTable } from './lock-table.js';
import { nonConcurrentIndex } from './non-concurrent-index.js';
import { nonConcurrentRefresh } from './non-concurrent-refresh.js';
import { nonConcurrentReindex } from './non-concurrent-reindex.js';
import { rewritingTypeChange } from './rewriting-type-change.js';
import { setNotNullWithoutCheck } from './set-not-null-without-check.js';
import { staleSuppression } from './stale-suppression.js';
import { suppressionWithoutReason } from './suppression-without-reason.js';
import { tableRewrite } from './table-rewrite.js';
import { truncate } from './truncate.js';
import { unboundedDml } from './unbounded-dml.js';
import { unknownSuppressionRule } from './unknown-suppression-rule.js';
import { vacuumFull } from './vacuum-full.js';
import { validatedConstraint } from './validated-constraint.js';

/** Statement rules by id; a new StatementRuleId without an entry does not compile. */
export const STATEMENT_RULES: Readonly<Record<StatementRuleId, StatementRule>> = {
  'non-concurrent-index': nonConcurrentIndex,
  'concurrently-in-transaction': concurrentlyInTransaction,
  'validated-constraint': validatedConstraint,
  'constraint-builds-index': constraintBuildsIndex,
  'set-not-null-without-check': setNotNullWithoutCheck,
  'rewriting-type-change': rewritingTypeChange,
  'add-column-rewrite': addColumnRewrite,
  'table-rewrite': tableRewrite,
  'breaking-change-outside-contract': breakingChangeOutsideContract,
  truncate,
  'lock-table': lockTable,
  'vacuum-full': vacuumFull,
  cluster,
  'non-concurrent-reindex': nonConcurrentReindex,
  'non-concurrent-refresh': nonConcurrentRefresh,
  'unbounded-dml': unboundedDml,
  'drop-before-drop-phase': dropBeforeDropPhase,
  'lock-held-in-transaction': lockHeldInTransaction,
  'enum-value-in-transaction': enumValueInTransaction,
};

/** Judges one suppression comment; `used` says whether it silenced a finding. */
export type SuppressionRule = (s: SuppressionComment, used: boolean) => RuleHit | undefined;

export const SUPPRESSION_RULES: Readonly<Record<SuppressionRuleId, SuppressionRule>> = {
  'suppression-without-reason': suppressionWithoutReason,
  'stale-suppression': staleSuppression,
  'unknown-suppression-rule': unknownSuppressionRule,
};
