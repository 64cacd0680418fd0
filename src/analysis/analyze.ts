import { classify } from './classify.js';
import { RULES } from './catalogue.js';
import { suppressionComments } from './comments.js';
import { contextFactory } from './context-factory.js';
import { embeddedCode } from './embedded-sql.js';
import { statementFacts } from './facts.js';
import { MigrationState } from './migration-state.js';
import { relationFromDisplay } from './relation.js';
import type { RuleHit } from './rule-context.js';
import { STATEMENT_RULE_IDS, SUPPRESSION_RULE_IDS, type RuleId } from './rule-ids.js';
import { STATEMENT_RULES, SUPPRESSION_RULES } from './rules/index.js';
import { parseSource } from './split.js';
import { type AttachedSuppressions, attachSuppressions, type SuppressionComment } from './suppression.js';
import { TransactionState } from './transaction-state.js';
import type { AnalysisInput, AnalysisResult, Finding, StatementFacts } from './types.js';

/** How the statements of one SQL text are sent to the server. */
export type ExecutionMode =
  /** Migration steps: each step is one query, wrapped in BEGIN/COMMIT when transactional. */
  | 'steps'
  /** A plain .sql file: statement by statement in autocommit, unless it says BEGIN. */
  | 'file';

export interface EngineInput extends AnalysisInput {
  readonly mode: ExecutionMode;
}

/** Where judged statements run: top level, inside a DO block, or inside a function body. */
interface Scope {
  /** Prepended to finding messages of statements inside code. */
  readonly prefix: string;
  /** The statement runs during the migration (not later, when a function is called). */
  readonly runsNow: boolean;
  readonly transaction: TransactionState | undefined;
  readonly facts: StatementFacts[];
}

/**
 * Analyses every statement in run order, carrying what earlier statements
 * created or proved into later ones, and what earlier statements of the same
 * transaction still hold. Synchronous; the parser must be loaded.
 */
export function runAnalysis(input: EngineInput): AnalysisResult {
  const state = new MigrationState();
  const contextFor = contextFactory(input, state);
  const statements: StatementFacts[] = [];
  const findings: Finding[] = [];
  const createdRelations: AnalysisResult['createdRelations'][number][] = [];
  const base = {
    ...(input.migration === undefined ? {} : { migration: input.migration }),
    ...(input.file === undefined ? {} : { file: input.file }),
  };
  const isExisting = (relation: string): boolean => !state.isNew(relationFromDisplay(relation));

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
      const stepReason =
        input.mode === 'steps' && step.transactional
          ? `step ${stepIndex + 1} of ${phase} is transactional (the runner wraps it in BEGIN/COMMIT)`
          : input.mode === 'steps' && parsed.statements.length > 1
            ? `step ${stepIndex + 1} of ${phase} sends ${parsed.statements.length} statements as one query, which PostgreSQL runs as one implicit transaction`
            : undefined;
      const stepTransaction = (): TransactionState | undefined => (stepReason === undefined ? undefined : new TransactionState(stepReason));
      let transaction = stepTransaction();

      parsed.statements.forEach((located, index) => {
        const attached = suppressions?.perStatement[index] ?? [];
        const used = new Set<SuppressionComment>();
        const judge = (node: unknown, sql: string, line: number, scope: Scope): void => {
          const stmt = classify(node);
          const ctx = contextFor(phase, scope.transaction?.view(node));
          scope.facts.push({ sql, line, step: stepIndex, phase, ...statementFacts(stmt, ctx) });
          for (const id of STATEMENT_RULE_IDS) {
            for (const hit of STATEMENT_RULES[id](stmt, ctx)) {
              const silencer = attached.find((s) => s.rule === id && s.reason !== '');
              if (silencer === undefined) findings.push(finding(id, { ...hit, message: `${scope.prefix}${hit.message}` }, line));
              else used.add(silencer);
            }
          }
          scope.transaction?.record(stmt, line, scope.facts, isExisting);
          if (scope.runsNow) state.apply(stmt);
          if (stmt.kind === 'transaction' && scope.prefix === '') {
            if (stmt.action === 'begin') transaction = new TransactionState(`it follows the explicit BEGIN on line ${line}`);
            else if (stmt.action === 'commit' || stmt.action === 'rollback') transaction = stepTransaction();
          }
        };
        judge(located.node, located.sql, located.line, { prefix: '', runsNow: true, transaction, facts: statements });

        const code = embeddedCode(located.node, located.sql);
        if (code !== undefined) {
          // A DO block is one statement: its statements share a transaction (the enclosing one, if any).
          // A function body runs later, in its caller's transaction: judged alike, but it changes nothing now.
          const scope: Scope = code.runsNow
            ? { prefix: `Inside ${code.where}: `, runsNow: true, transaction: transaction ?? new TransactionState(`it runs inside ${code.where}, which is one statement`), facts: statements }
            : { prefix: `Inside ${code.where}: `, runsNow: false, transaction: new TransactionState(`it runs inside ${code.where}, in its caller's transaction`), facts: [] };
          for (const s of code.statements) judge(s.node, s.sql, located.line + s.lineOffset, scope);
          // Dynamic SQL reviewed by hand (a reason given above the statement) is not reported again.
          const reviewed = attached.find((s) => s.rule === 'unanalysed-code' && s.reason !== '');
          if (reviewed !== undefined && code.opaque.length > 0) used.add(reviewed);
          for (const o of reviewed === undefined ? code.opaque : []) {
            const hit: RuleHit = { severity: 'info', message: `Inside ${code.where}: ${o.what} was not analysed` };
            findings.push(finding('unanalysed-code', hit, located.line + o.lineOffset));
          }
        }
        for (const s of attached) judgeSuppression(s, used.has(s));
      });
      for (const s of suppressions?.orphans ?? []) judgeSuppression(s, false);
    });
    createdRelations.push({ phase, names: state.createdRelations() });
  }
  return { statements, findings, createdRelations };
}
