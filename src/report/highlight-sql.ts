/*
 * A small SQL highlighter for the HTML report: enough to tell keywords,
 * strings, comments and numbers apart in DDL. It never changes the text,
 * only wraps pieces of it in spans, and escapes everything it emits.
 */

const KEYWORDS = new Set(
  `ADD ALL ALTER AND AS ASC BEFORE AFTER BEGIN BY CASCADE CHECK COLUMN CONCURRENTLY CONSTRAINT CREATE DEFAULT DELETE DESC
  DISTINCT DROP EACH ELSE ELSIF END EXECUTE EXISTS FOR FOREIGN FROM FUNCTION IF IN INDEX INSERT INTO IS KEY LANGUAGE LIMIT
  NOT NULL OF ON OR ORDER PRIMARY REFERENCES RENAME REPLACE RETURN RETURNS ROW SELECT SET TABLE THEN TO TRIGGER TYPE UNIQUE
  UPDATE USING VALIDATE VALID VALUES VIEW WHERE WITH`.split(/\s+/),
);

const TOKEN = /(--[^\n]*|\/\*[\s\S]*?\*\/)|('(?:[^']|'')*')|(\$[A-Za-z_]*\$)|("(?:[^"]|"")*")|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)/g;

/** HTML-escapes text for element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** SQL as escaped HTML with `<span class="k|s|c|n">` around keywords, strings, comments and numbers. */
export function highlightSql(sql: string): string {
  let out = '';
  let last = 0;
  for (const match of sql.matchAll(TOKEN)) {
    const index = match.index;
    out += escapeHtml(sql.slice(last, index));
    const [text, comment, string, dollar, quoted, number, word] = match;
    const cls =
      comment !== undefined ? 'c'
      : string !== undefined || dollar !== undefined ? 's'
      : number !== undefined ? 'n'
      : word !== undefined && KEYWORDS.has(word.toUpperCase()) ? 'k'
      : quoted !== undefined ? 'i'
      : undefined;
    out += cls === undefined ? escapeHtml(text) : `<span class="${cls}">${escapeHtml(text)}</span>`;
    last = index + text.length;
  }
  return out + escapeHtml(sql.slice(last));
}
