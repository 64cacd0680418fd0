import type { CommentToken } from './parser.js';
import type { SourceText } from './source-text.js';

/** A `-- phasegate:allow <rule-id> <reason>` comment. */
export interface SuppressionComment {
  /** The rule id as written (may be unknown or empty). */
  readonly rule: string;
  /** Free text after the rule id; empty when missing. */
  readonly reason: string;
  /** 1-based line of the comment. */
  readonly line: number;
}

const MARKER = 'phasegate:allow';

/** Reads a `--` comment; undefined when it is not a suppression. */
export function parseSuppression(text: string, line: number): SuppressionComment | undefined {
  if (!text.startsWith('--')) return undefined;
  const body = text.slice(2).trim();
  if (!body.startsWith(MARKER)) return undefined;
  const rest = body.slice(MARKER.length);
  // `phasegate:allowed` is not our marker.
  if (rest !== '' && !/^\s/.test(rest)) return undefined;
  const words = rest.trim();
  const space = words.search(/\s/);
  return space < 0
    ? { rule: words, reason: '', line }
    : { rule: words.slice(0, space), reason: words.slice(space).trim(), line };
}

export interface StatementSpan {
  readonly startByte: number;
  readonly endByte: number;
}

export interface AttachedSuppressions {
  /** Per statement (same order as the spans), the suppressions directly above it. */
  readonly perStatement: readonly (readonly SuppressionComment[])[];
  /** Suppressions not directly above any statement: they silence nothing. */
  readonly orphans: readonly SuppressionComment[];
}

/**
 * A suppression belongs to a statement when it sits in the unbroken block of
 * comment lines directly above the statement's first line (a blank line or
 * SQL in between detaches it), and not on the previous statement's last line.
 */
export function attachSuppressions(
  source: SourceText,
  comments: readonly CommentToken[],
  statements: readonly StatementSpan[],
): AttachedSuppressions {
  const perStatement: SuppressionComment[][] = statements.map(() => []);
  const orphans: SuppressionComment[] = [];
  let next = 0;
  let previousEnd = 0;
  const pending: CommentToken[] = [];
  const flush = (index: number | undefined): void => {
    let top = index === undefined ? -1 : source.lineAtByte(statements[index]?.startByte ?? 0);
    const previousLine = previousEnd === 0 ? 0 : source.lineAtByte(Math.max(previousEnd - 1, 0));
    for (let i = pending.length - 1; i >= 0; i--) {
      const comment = pending[i];
      if (comment === undefined) continue;
      const startLine = source.lineAtByte(comment.startByte);
      const endLine = source.lineAtByte(Math.max(comment.endByte - 1, comment.startByte));
      const suppression = parseSuppression(comment.text, startLine);
      const attached = index !== undefined && top >= 0 && (endLine === top || endLine === top - 1) && startLine > previousLine;
      if (attached) top = startLine;
      else top = -1;
      if (suppression === undefined) continue;
      if (attached && index !== undefined) perStatement[index]?.unshift(suppression);
      else orphans.push(suppression);
    }
    pending.length = 0;
  };
  for (const comment of comments) {
    while (next < statements.length && (statements[next]?.startByte ?? 0) <= comment.startByte) {
      const span = statements[next];
      if (span !== undefined && comment.startByte < span.endByte) break;
      flush(next);
      previousEnd = span?.endByte ?? previousEnd;
      next++;
    }
    const inside = next < statements.length && (statements[next]?.startByte ?? 0) <= comment.startByte;
    // A comment inside a statement's text is not "directly before" anything.
    if (inside) {
      const suppression = parseSuppression(comment.text, source.lineAtByte(comment.startByte));
      if (suppression !== undefined) orphans.push(suppression);
      continue;
    }
    pending.push(comment);
  }
  if (next < statements.length) flush(next);
  else flush(undefined);
  orphans.sort((a, b) => a.line - b.line);
  return { perStatement, orphans };
}
