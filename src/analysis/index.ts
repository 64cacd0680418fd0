/**
 * Parser-based analysis of migration SQL: lock levels, rewrites and scans per
 * statement, and safety findings. Pure (no database, files or environment);
 * the only folder that imports libpg-query.
 *
 * All entry points are async because the PostgreSQL parser is WebAssembly and
 * loads once on first use; after that every call is synchronous work.
 */
import { runAnalysis } from './analyze.js';
import { loadParser } from './parser.js';
import { parseSource } from './split.js';
import type { AnalysisInput, AnalysisResult, SplitStatement, SqlFileOptions } from './types.js';

export { loadSqlNormalizer } from './normalize.js';
export { RULES } from './catalogue.js';
export type { RuleDescription } from './catalogue.js';
export { SqlParseError } from './errors.js';
export type { SqlOrigin } from './errors.js';
export { RULE_IDS } from './rule-ids.js';
export type { RuleId } from './rule-ids.js';
export { DEFAULT_LARGE_TABLE_BYTES } from './size.js';
export { LOCK_LEVELS } from './types.js';
export type {
  AnalysisInput,
  AnalysisPhase,
  AnalysisResult,
  AnalysisStep,
  Finding,
  LockLevel,
  RelationLock,
  Severity,
  SplitStatement,
  SqlFileOptions,
  StatementFacts,
  TableSize,
} from './types.js';

/**
 * Analyses one migration: its phases in run order, each step as the runner
 * sends it (one query; in BEGIN/COMMIT when `transactional`). Objects created
 * in an earlier step or phase count as new and empty.
 * @throws SqlParseError (code INVALID_SQL) when a step does not parse.
 */
export async function analyzeMigration(input: AnalysisInput): Promise<AnalysisResult> {
  await loadParser();
  return runAnalysis({ ...input, mode: 'steps' });
}

/**
 * Analyses a plain .sql file as psql would run it: statement by statement in
 * autocommit, except between an explicit BEGIN and COMMIT. Findings carry no
 * `step`; statement facts use step 0.
 * @throws SqlParseError (code INVALID_SQL) when the file does not parse.
 */
export async function analyzeSqlFile(text: string, opts: SqlFileOptions): Promise<AnalysisResult> {
  await loadParser();
  const { phase, ...rest } = opts;
  return runAnalysis({ ...rest, phases: [{ phase, steps: [{ sql: text, transactional: false }] }], mode: 'file' });
}

/**
 * Splits SQL into statements with the PostgreSQL grammar: comments and string
 * literals are never statements, and `line` is the 1-based line of each
 * statement's first token.
 * @throws SqlParseError (code INVALID_SQL) when the text does not parse.
 */
export async function splitStatements(sql: string): Promise<readonly SplitStatement[]> {
  await loadParser();
  return parseSource(sql, {}).statements.map(({ sql: text, line }) => ({ sql: text, line }));
}
