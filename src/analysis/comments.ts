import { type CommentToken, scanComments } from './parser.js';
import type { SourceText } from './source-text.js';
import type { StatementSpan } from './suppression.js';

const MARKER = 'phasegate:allow';

/**
 * The comments that may hold a suppression. Only the stretches of text that
 * contain the marker are scanned (gaps between statements, or a statement
 * itself), so a large file with a few suppressions costs a few small scans.
 * Runs within withParser().
 */
export function suppressionComments(source: SourceText, statements: readonly StatementSpan[]): readonly CommentToken[] {
  const out: CommentToken[] = [];
  const scanRange = (startByte: number, endByte: number): void => {
    if (endByte <= startByte) return;
    const text = source.slice(startByte, endByte);
    if (!text.includes(MARKER)) return;
    for (const c of scanComments(text)) {
      // The scanner counts bytes of the slice; shift them back into the whole text.
      out.push({ text: c.text, startByte: c.startByte + startByte, endByte: c.endByte + startByte });
    }
  };
  let previousEnd = 0;
  for (const span of statements) {
    scanRange(previousEnd, span.startByte);
    scanRange(span.startByte, span.endByte);
    previousEnd = span.endByte;
  }
  scanRange(previousEnd, source.byteLength);
  return out;
}
