/**
 * Parser-based analysis of migration SQL: lock levels, rewrites and scans per
 * statement, and safety findings. Pure (no database, files or environment);
 * the only folder that imports libpg-query.
 *
 * All entry points are async because the PostgreSQL parser is WebAssembly and
 * loads on the first parse that the caller's memo (useParseMemo) does not
 * already know; the work itself is synchronous.
 */
import { runAnalysis } from './analyze.js';
import { assertFragments } from './fragments.js';
import { operationFor, renderOperation, type OperationSuggestion } from './operation-for.js';
import { withParser } from './parser.js';
import { parseSource } from './split.js';
import type { AnalysisInput, AnalysisResult, SplitStatement, SqlFileOptions, SqlFragment } from './types.js';

export { withSqlNormalizer } from './normalize.js';
export { useParseMemo, type ParseKind, type ParseMemo } from './parser.js';
export { renderOperation, type OperationSuggestion } from './operation-for.js';
export { RULES } from './catalogue.js';
export { fragmentProblem, migrationFragments } from './fragments.js';
export type { RuleDescription } from './catalogue.js';
export { SqlParseError } from './errors.js';
export type { SqlOrigin } from './errors.js';
export { RULE_IDS } from './rule-ids.js';
export type { RuleId } from './rule-ids.js';
export { DEFAULT_LARGE_TABLE_BYTES, formatBytes } from './size.js';
export { displayRelation, relationKey, sameRelation, type RelationName } from './relation.js';
export { LOCK_DURATIONS, LOCK_LEVELS } from './types.js';
export { locateInFile, type SqlLocation } from './source-text.js';
export type {
  AnalysisInput,
  AnalysisPhase,
  AnalysisResult,
  AnalysisStep,
  CatalogColumn,
  Finding,
  LockDuration,
  LockLevel,
  RelationLock,
  Severity,
  SplitStatement,
  SqlFileOptions,
  SqlFragment,
  StatementFacts,
  TableSize,
} from './types.js';

/**
 * Analyses one migration: its phases in run order, each step as the runner
 * sends it (one query; in BEGIN/COMMIT when `transactional`). Objects created
 * in an earlier step or phase count as new and empty.
 * @throws SqlParseError (code INVALID_SQL) when a step does not parse.
 * @throws PhasegateError (code INVALID_MIGRATION) naming file and field when a fragment is not what its field allows.
 */
export async function analyzeMigration(input: AnalysisInput): Promise<AnalysisResult> {
  return withParser(() => {
    assertFragments(input.fragments ?? [], 'INVALID_MIGRATION');
    return runAnalysis({ ...input, mode: 'steps' });
  });
}

/**
 * Checks SQL fragments written outside a migration (the config file's
 * `backfill.healthQuery`) before anything runs.
 * @throws PhasegateError (code INVALID_CONFIG) naming file and field for each bad one.
 */
export async function checkConfigFragments(fragments: readonly SqlFragment[]): Promise<void> {
  if (fragments.length === 0) return;
  await withParser(() => assertFragments(fragments, 'INVALID_CONFIG'));
}

/**
 * Analyses a plain .sql file as psql would run it: statement by statement in
 * autocommit, except between an explicit BEGIN and COMMIT. Findings carry no
 * `step`; statement facts use step 0.
 * @throws SqlParseError (code INVALID_SQL) when the file does not parse.
 */
export async function analyzeSqlFile(text: string, opts: SqlFileOptions): Promise<AnalysisResult> {
  const { phase, ...rest } = opts;
  return withParser(() => runAnalysis({ ...rest, phases: [{ phase, steps: [{ sql: text, transactional: false }] }], mode: 'file' }));
}

/**
 * Splits SQL into statements with the PostgreSQL grammar: comments and string
 * literals are never statements, and `line` is the 1-based line of each
 * statement's first token.
 * @throws SqlParseError (code INVALID_SQL) when the text does not parse.
 */
export async function splitStatements(sql: string): Promise<readonly SplitStatement[]> {
  return withParser(() => parseSource(sql, {}).statements.map(({ sql: text, line }) => ({ sql: text, line })));
}

/** Each statement of `sql` with the operation that does the same in all five phases (undefined when none fits). */
export async function operationsForSql(sql: string): Promise<readonly { readonly sql: string; readonly operation: OperationSuggestion | undefined }[]> {
  return withParser(() => parseSource(sql, {}).statements.map(({ node, sql: text }) => ({ sql: text, operation: operationFor(node, text) })));
}
