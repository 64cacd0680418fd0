import { readFileSync } from 'node:fs';
import { locateInFile } from '../analysis/index.js';
import { isSocketError, sqlState } from '../pg/index.js';

/** SQLSTATEs phasegate acts on. https://www.postgresql.org/docs/current/errcodes-appendix.html */
const LOCK_NOT_AVAILABLE = '55P03';
const QUERY_CANCELED = '57014';
const DEADLOCK_DETECTED = '40P01';
const INSUFFICIENT_PRIVILEGE = '42501';
/** The server ended the session: admin_shutdown, crash_shutdown, cannot_connect_now. */
const SESSION_ENDED = new Set(['57P01', '57P02', '57P03']);

/**
 * Whether a failed statement may simply be tried again: it timed out waiting
 * for a lock, or lost a deadlock. Both roll back whole, so a retry is safe.
 */
export function isRetryableLockError(error: unknown): boolean {
  const state = sqlState(error);
  return state === LOCK_NOT_AVAILABLE || state === DEADLOCK_DETECTED;
}

/** The statement ran past its statement_timeout and was cancelled. */
export function isStatementTimeout(error: unknown): boolean {
  return sqlState(error) === QUERY_CANCELED;
}

/**
 * The session is gone (terminated by the server or an administrator, socket
 * closed): the failure says nothing about the statement, and an open
 * transaction on it was rolled back by the server.
 */
export function isConnectionLost(error: unknown): boolean {
  const state = sqlState(error);
  if (state !== undefined) return state.startsWith('08') || SESSION_ENDED.has(state);
  if (isSocketError(error)) return true;
  return /connection terminated|not queryable|connection error/i.test(error instanceof Error ? error.message : '');
}

/** The role lacks a privilege (or ownership) the statement needs. */
export function isMissingPrivilege(error: unknown): boolean {
  return sqlState(error) === INSUFFICIENT_PRIVILEGE;
}

/** Where the statement that failed was written, to point at the line of the migration file. */
export interface StatementSource {
  readonly sql: string;
  readonly file: string;
}

/**
 * The server's error for people: message and SQLSTATE, then PostgreSQL's
 * DETAIL (an FK violation's key), HINT and CONTEXT (a PL/pgSQL line), and
 * the line of the migration file the error points at when it points at one.
 */
export function describePgError(error: unknown, source?: StatementSource): string {
  const message = error instanceof Error ? error.message : String(error);
  const state = sqlState(error);
  const lines = [state === undefined ? message : `${message} (SQLSTATE ${state})`];
  const detail = field(error, 'detail');
  const hint = field(error, 'hint');
  const context = field(error, 'where');
  if (detail !== undefined) lines.push(`  detail: ${detail}`);
  if (hint !== undefined) lines.push(`  server hint: ${hint}`);
  if (context !== undefined) lines.push(`  context: ${context.split('\n').join('; ')}`);
  const at = source === undefined ? undefined : errorLine(error, source);
  if (at !== undefined) lines.push(`  at ${at}`);
  return lines.join('\n');
}

/**
 * Names the privilege a 42501 is about and the GRANT that gives it. The
 * server only says "permission denied for <kind> <name>"; the kind tells
 * which privilege phasegate's statements need on it.
 */
export function describeMissingPrivilege(error: unknown, role: string): { readonly privilege: string; readonly hint: string } {
  const message = error instanceof Error ? error.message : String(error);
  const denied = /permission denied for (database|schema|table|sequence|function|procedure|view|materialized view) (.+)$/.exec(message);
  const owner = /must be owner of (\w+(?: \w+)?) (.+)$/.exec(message);
  if (denied !== null) {
    const [, kind = '', name = ''] = denied;
    const privilege = kind === 'database' ? 'CREATE' : kind === 'schema' ? 'USAGE and CREATE' : kind === 'function' || kind === 'procedure' ? 'EXECUTE' : 'SELECT, INSERT, UPDATE or DELETE';
    const grant = kind === 'database' ? 'CREATE' : kind === 'schema' ? 'USAGE, CREATE' : kind === 'function' || kind === 'procedure' ? 'EXECUTE' : 'SELECT, INSERT, UPDATE, DELETE';
    const target = kind === 'view' || kind === 'materialized view' ? 'TABLE' : kind.toUpperCase();
    return { privilege: `${privilege} on ${kind} ${name}`, hint: `as its owner or a superuser: GRANT ${grant} ON ${target} ${name} TO ${role}; then run the command again` };
  }
  if (owner !== null) {
    const [, kind = '', name = ''] = owner;
    return { privilege: `ownership of ${kind} ${name}`, hint: `run it as the owner of ${name}, or make ${role} a member of the owning role (GRANT <owner> TO ${role})` };
  }
  return { privilege: 'a privilege', hint: `grant ${role} the privilege named above, then run the command again` };
}

/** "migrations/x.ts line 14", or "line 3 of the step's SQL" when the file does not hold the SQL verbatim. */
function errorLine(error: unknown, source: StatementSource): string | undefined {
  const index = errorIndex(error, source.sql);
  if (index === undefined) return undefined;
  const location = locateInFile(source.sql, index, fileText(source.file));
  return location.inFile ? `${source.file} line ${location.line}` : `line ${location.line} of the step's SQL`;
}

/**
 * The 0-based code point of the step's SQL the error points at: the server's
 * position, or for an error inside a DO block, the body's start moved down by
 * the PL/pgSQL line ("inline_code_block line 3"), which counts from the line
 * the body starts on.
 */
function errorIndex(error: unknown, sql: string): number | undefined {
  const position = Number(field(error, 'position'));
  if (Number.isInteger(position) && position > 0) return position - 1;
  const plpgsqlLine = /inline_code_block line (\d+)/.exec(field(error, 'where') ?? '')?.[1];
  const bodies = [...sql.matchAll(/\bDO\s+(?:LANGUAGE\s+\w+\s+)?(\$\w*\$)/gi)];
  const [body] = bodies;
  if (plpgsqlLine === undefined || bodies.length !== 1 || body === undefined) return undefined;
  let at = body.index + body[0].length;
  for (let line = 1; line < Number(plpgsqlLine); line++) {
    const next = sql.indexOf('\n', at);
    if (next < 0) return undefined;
    at = next + 1;
  }
  return [...sql.slice(0, at)].length;
}

function fileText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function field(error: unknown, name: string): string | undefined {
  const value = typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}
