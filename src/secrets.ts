/**
 * The one redaction every output and every state write goes through:
 * passwords in connection URLs and conninfo strings, and the password
 * literals of SQL (roles, foreign servers, user mappings, subscriptions).
 */

const MASK = '***';

/** A SQL string constant: '...' with doubled quotes, E'...' with backslash escapes, or $tag$...$tag$. Unterminated runs to the end (text cut at a length limit). */
const SQL_STRING = String.raw`(?:[eE]'(?:''|\\[\s\S]|[^'\\])*(?:'|$)|'(?:''|[^'])*(?:'|$)|\$(?<tag>[A-Za-z_][A-Za-z0-9_]*)?\$[\s\S]*?(?:\$\k<tag>\$|$))`;

const RULES: readonly (readonly [RegExp, string])[] = [
  // ROLE/USER ... [ENCRYPTED] PASSWORD '...', and OPTIONS (password '...') of servers and user mappings.
  [new RegExp(String.raw`((?:\bpassword|"password")\s+)${SQL_STRING}`, 'gi'), `$1'${MASK}'`],
  // CREATE/ALTER SUBSCRIPTION ... CONNECTION '...': the whole conninfo, whatever form its password takes.
  [new RegExp(String.raw`(\bconnection\s+)${SQL_STRING}`, 'gi'), `$1'${MASK}'`],
  // scheme://user:password@host: greedy up to the last @ of the authority, so a raw @ in the password is covered.
  // The scheme's length is bounded so a long dotted word cannot make the search quadratic.
  [/\b([a-z][a-z0-9+.-]{0,31}:\/\/[^:/?#\s@'"]*):[^\s/?#'"]*@/gi, `$1:${MASK}@`],
  // "password":"..." in JSON text.
  [/("password"\s*:\s*)"(?:\\.|[^"\\])*"/gi, `$1"${MASK}"`],
  // password=... in keyword/value conninfo and URL query strings; a quoted value may hold spaces and \' escapes.
  [/(\bpassword\s*[=:]\s*)(?:'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|[^\s'"&]+)/gi, `$1${MASK}`],
];

/** Removes every password this module knows how to find from a text. */
export function redactSecrets(text: string): string {
  return RULES.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

/** A copy of a JSON-shaped value with every string in it redacted (reports, log objects, event details). */
export function redactDeep<T>(value: T): T {
  const json = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'string' ? redactSecrets(item) : item));
  // JSON.stringify of undefined (or a function) gives undefined: nothing to redact.
  return json === undefined ? value : (JSON.parse(json) as T);
}
