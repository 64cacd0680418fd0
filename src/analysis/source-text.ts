/**
 * The parser reports positions as UTF-8 byte offsets, while JS strings index
 * UTF-16 code units. SourceText converts between the two and maps offsets to
 * 1-based lines, so multibyte characters never shift a statement or a line.
 */
export class SourceText {
  readonly text: string;
  readonly #bytes: Uint8Array | undefined;
  /** Byte offsets at which each line starts (line 1 starts at 0). */
  readonly #lineStarts: readonly number[];

  constructor(text: string) {
    this.text = text;
    const bytes = new TextEncoder().encode(text);
    // ASCII-only text (the usual case) can be sliced as a string directly.
    this.#bytes = bytes.length === text.length ? undefined : bytes;
    const starts = [0];
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) starts.push(i + 1);
    this.#lineStarts = starts;
  }

  get byteLength(): number {
    return this.#bytes?.length ?? this.text.length;
  }

  slice(startByte: number, endByte: number): string {
    if (this.#bytes === undefined) return this.text.slice(startByte, endByte);
    return new TextDecoder().decode(this.#bytes.subarray(startByte, endByte));
  }

  /** 1-based line containing the byte at `offset`. */
  lineAtByte(offset: number): number {
    const starts = this.#lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** 1-based line containing the character (code point) at 0-based `index`, as parser errors count. */
  lineAtCodePoint(index: number): number {
    let line = 1;
    let seen = 0;
    for (const ch of this.text) {
      if (seen >= index) break;
      if (ch === '\n') line++;
      seen++;
    }
    return line;
  }
}

/** Where a character of a step's SQL is: its line in the migration file, or in the SQL when the file does not hold it verbatim. */
export interface SqlLocation {
  readonly line: number;
  readonly inFile: boolean;
}

/**
 * Locates the code point at 0-based `index` of `sql` (as PostgreSQL counts
 * error positions) in `fileText`, where the step was written. A step written
 * with escapes (`\n` in a quoted string) is not in the file verbatim: then
 * the line counts from the start of the SQL.
 */
export function locateInFile(sql: string, index: number, fileText: string | undefined): SqlLocation {
  const at = fileText?.indexOf(sql) ?? -1;
  if (fileText === undefined || at < 0) return { line: new SourceText(sql).lineAtCodePoint(index), inFile: false };
  return { line: new SourceText(fileText).lineAtCodePoint([...fileText.slice(0, at)].length + index), inFile: true };
}
