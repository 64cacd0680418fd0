import { createHash } from 'node:crypto';

/** PostgreSQL's NAMEDATALEN - 1: longer names are silently cut, so two could collide. */
export const MAX_NAME_BYTES = 63;

const PREFIX = 'pgate';

/**
 * A deterministic name for an object an operation creates ("pgate_users_email_sync"):
 * the same parameters always give the same name, so a retried or re-planned
 * step finds its object. Parts that do not fit in 63 bytes are shortened and
 * followed by a hash of the whole, so distinct parts keep distinct names.
 */
export function generatedName(...parts: readonly string[]): string {
  const full = [PREFIX, ...parts].join('_');
  if (Buffer.byteLength(full) <= MAX_NAME_BYTES) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${cutToBytes(full, MAX_NAME_BYTES - hash.length - 1)}_${hash}`;
}

/** The longest prefix of `text` that fits in `bytes` UTF-8 bytes without splitting a character. */
function cutToBytes(text: string, bytes: number): string {
  let out = '';
  for (const char of text) {
    if (Buffer.byteLength(out + char) > bytes) break;
    out += char;
  }
  return out;
}
