import { PhasegateError } from '../errors.js';
import type { Phase } from '../plan/index.js';

/** Where a piece of SQL came from, for messages. */
export interface SqlOrigin {
  readonly migration?: string;
  readonly file?: string;
  readonly phase?: Phase;
  /** 0-based step index inside the phase. */
  readonly step?: number;
}

/** The PostgreSQL grammar rejected a step's SQL. Code `INVALID_SQL`. */
export class SqlParseError extends PhasegateError {
  readonly origin: SqlOrigin;
  /** 1-based line inside the step's SQL (or the .sql file), when the parser points at one. */
  readonly line: number | undefined;
  readonly parserMessage: string;
  /** The SQL that failed and the 0-based code point the parser points at, to find the line in the file it was written in. */
  readonly at: { readonly sql: string; readonly position: number } | undefined;

  constructor(origin: SqlOrigin, parserMessage: string, line: number | undefined, at?: { readonly sql: string; readonly position: number }) {
    super('INVALID_SQL', `${describeOrigin(origin)}SQL does not parse${line === undefined ? '' : ` at line ${line}`}: ${parserMessage}`, {
      hint: 'Fix the SQL at that line. phasegate parses with the PostgreSQL 18 grammar, so it must be valid PostgreSQL syntax.',
    });
    this.name = 'SqlParseError';
    this.origin = origin;
    this.line = line;
    this.parserMessage = parserMessage;
    this.at = at;
  }
}

function describeOrigin(origin: SqlOrigin): string {
  const parts: string[] = [];
  if (origin.migration !== undefined) parts.push(`migration ${origin.migration}`);
  if (origin.file !== undefined) parts.push(`file ${origin.file}`);
  if (origin.phase !== undefined) parts.push(`phase ${origin.phase}`);
  // Numbered from 1, as every message and log counts steps.
  if (origin.step !== undefined) parts.push(`step ${origin.step + 1}`);
  return parts.length === 0 ? '' : `${parts.join(', ')}: `;
}
