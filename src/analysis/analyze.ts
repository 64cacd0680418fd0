import { classify } from './classify.js';
import { ColumnTypeLookup } from './column-types.js';
import { RULES } from './catalogue.js';
import { statementFacts } from './facts.js';
import { MigrationState } from './migration-state.js';
import { suppressionComments } from './comments.js';
import { STATEMENT_RULE_IDS, SUPPRESSION_RULE_IDS, type RuleId } from './rule-ids.js';
import type { RuleContext, RuleHit } from './rule-context.js';
import { STATEMENT_RULES, SUPPRESSION_RULES } from './rules/index.js';
import { DEFAULT_LARGE_TABLE_BYTES, type SizeSource, sizeVerdict } from './size.js';
import { parseSource } from './split.js';
import { type AttachedSuppressions, attachSuppressions, type SuppressionComment } from './suppression.js';
import type { AnalysisInput, AnalysisPhase, AnalysisResult, Finding, StatementFacts, TableSize } from './types.js';

/** How the statements of one SQL text are sent to the server. */
export type ExecutionMode =
  /** Migration steps: each step is one query, wrapped in BEGIN/COMMIT when transactional. */
  | 'steps'
  /** A plain .sql file: statement by statement in autocommit, unless it says BEGIN. */
  | 'file';

export interface EngineInput extends AnalysisInput {
  readonly mode: ExecutionMode;
}

/**
 * Analyses every statement in run order, carrying what earlier statements
 * created or proved into later ones. Synchronous; the parser must be loaded.
 */
export function runAnalysis(input: EngineInput): AnalysisResult {
  const state = new MigrationState();
  const dbTypes = new ColumnTypeLookup(input.columnTypes);
  const sizes: SizeSource = { sizes: input.tableSizes, largeTableBytes: input.largeTableBytes ?? DEFAULT_LARGE_TABLE_BYTES };
  const statements: StatementFacts[] = [];
  const findings: Finding[] = [];
  const base = {
    ...(input.migration === undefined ? {} : { migration: input.migration }),
    ...(input.file === undefined ? {} : { file: input.file }),
  };

  for (const { phase, steps } of input.phases) {
    steps.forEach((step, stepIndex) => {
      const where = { ...base, phase, ...(input.mode === 'steps' ? { step: stepIndex } : {}) };
      const parsed = parseSource(step.sql, where);
      const suppressions: AttachedSuppressions | undefined = step.sql.includes('phasegate:allow')
        ? attachSuppressions(parsed.source, suppressionComments(parsed.source, parsed.statements), parsed.statements)
        : undefined;
      const finding = (rule: RuleId, hit: RuleHit, line: number): Finding => ({
        rule,
        severity: hit.severity,
        message: hit.message,
        hint: hit.hint ?? RULES[rule].hint,
        explanation: RULES[rule].explanation,
        ...where,
        line,
      });
      const judgeSuppression = (s: SuppressionComment, used: boolean): void => {
        for (const id of SUPPRESSION_RULE_IDS) {
          const hit = SUPPRESSION_RULES[id](s, used);
          if (hit !== undefined) findings.push(finding(id, hit, s.line));
        }
      };
      let explicitBegin: number | undefined;

      parsed.statements.forEach((located, index) => {
        const stmt = classify(located.node);
        const transaction =
          explicitBegin !== undefined
            ? `it follows the explicit BEGIN on line ${explicitBegin}`
            : input.mode === 'steps' && step.transactional
              ? `step ${stepIndex + 1} of ${phase} is transactional (the runner wraps it in BEGIN/COMMIT)`
              : input.mode === 'steps' && parsed.statements.length > 1
                ? `step ${stepIndex + 1} of ${phase} sends ${parsed.statements.length} statements as one query, which PostgreSQL runs as one implicit transaction`
                : undefined;
        const ctx: RuleContext = {
          phase,
          pgVersion: input.pgVersion,
          transaction,
          migration: state,
          columnType: (table, column) => state.columnType(table, column) ?? dbTypes.get(table, column),
          size: (rel) => sizeVerdict(rel, sizes),
        };
        statements.push({ sql: located.sql, line: located.line, step: stepIndex, phase, ...statementFacts(stmt, ctx) });

        const attached = suppressions?.perStatement[index] ?? [];
        const used = new Set<SuppressionComment>();
        for (const id of STATEMENT_RULE_IDS) {
          for (const hit of STATEMENT_RULES[id](stmt, ctx)) {
            const silencer = attached.find((s) => s.rule === id && s.reason !== '');
            if (silencer === undefined) findings.push(finding(id, hit, located.line));
            else used.add(silencer);
          }
        }
        for (const s of attached) judgeSuppression(s, used.has(s));

        state.apply(stmt);
        if (stmt.kind === 'transaction') {
          if (stmt.action === 'begin') explicitBegin = located.line;
          else if (stmt.action === 'commit' || stmt.action === 'rollback') explicitBegin = undefined;
        }
      });
      for (const s of suppressions?.orphans ?? []) judgeSuppression(s, false);
    });
  }
  return { statements, findings };
}
