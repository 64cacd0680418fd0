/** Socket-level failures node reports in an error's `code`, where a server error has its SQLSTATE. */
const SOCKET_ERRORS: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED']);

/** The SQLSTATE of a server error, undefined for anything else. https://www.postgresql.org/docs/current/errcodes-appendix.html */
export function sqlState(error: unknown): string | undefined {
  const code = codeOf(error);
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code) && !SOCKET_ERRORS.has(code) ? code : undefined;
}

/** Whether the socket failed under the statement (node's own error, not the server's). */
export function isSocketError(error: unknown): boolean {
  return SOCKET_ERRORS.has(codeOf(error) ?? '');
}

function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}
