import { createHash } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParseKind, ParseMemo } from '../analysis/index.js';
import { cacheDir, readCacheFile, writeCacheFile } from '../disk-cache.js';

/** Bigger texts (a whole schema dump being linted) are parsed each time: their trees are large and rarely parsed twice. */
const MAX_TEXT_LENGTH = 64 * 1024;
/** A first lint of a large tree keeps this many parses; later runs keep more of it. */
const MAX_WRITES_PER_RUN = 1_000;

/**
 * The parser's output kept on disk, under a hash of the call and its text,
 * in a folder per parser version: the same text parses to the same tree, so
 * a migration that was analysed once is analysed again without loading the
 * WebAssembly parser (most of a short command's start-up). `root` is the
 * cache folder of the installation by default. The folder and the parser's
 * version are looked up on the first parse, so a command that parses nothing
 * pays nothing; without either, nothing is kept.
 */
// This file is <package root>/dist/cli/ or /src/cli/.
export function diskParseMemo(root = cacheDir(fileURLToPath(new URL('../../', import.meta.url)))): ParseMemo {
  let folder: Folder | null | undefined;
  const where = (): Folder | null => {
    if (folder === undefined) {
      const version = root === undefined ? undefined : parserVersion();
      folder = root === undefined || version === undefined ? null : { dir: path.join(root, 'parse', version), version };
    }
    return folder;
  };
  const name = (kind: ParseKind, text: string): string => `${createHash('sha256').update(kind).update('\0').update(text).digest('hex').slice(0, 40)}.json`;
  let writes = 0;
  return {
    get(kind, text) {
      const at = where();
      if (at === null || text.length > MAX_TEXT_LENGTH) return undefined;
      const data = readCacheFile(path.join(at.dir, name(kind, text)));
      if (data === undefined) return undefined;
      try {
        return JSON.parse(data.toString('utf8')) as unknown;
      } catch {
        return undefined; // cut short by a full disk, say: parsed anew and written again
      }
    },
    set(kind, text, value) {
      const at = where();
      if (at === null || text.length > MAX_TEXT_LENGTH || writes >= MAX_WRITES_PER_RUN) return;
      writes += 1;
      if (writes === 1) removeOtherVersions(path.dirname(at.dir), at.version);
      writeCacheFile(at.dir, name(kind, text), JSON.stringify(value));
    },
  };
}

interface Folder {
  readonly dir: string;
  readonly version: string;
}

/** libpg-query's version from its package.json, found from the file Node resolves it to. */
function parserVersion(): string | undefined {
  try {
    let dir = path.dirname(createRequire(import.meta.url).resolve('libpg-query'));
    for (let depth = 0; depth < 4; depth += 1, dir = path.dirname(dir)) {
      const manifest = readCacheFile(path.join(dir, 'package.json'));
      if (manifest === undefined) continue;
      const { name, version } = JSON.parse(manifest.toString('utf8')) as { name?: unknown; version?: unknown };
      if (name === 'libpg-query' && typeof version === 'string' && /^[\w.+-]+$/.test(version)) return version;
    }
  } catch {
    // No version, no memo.
  }
  return undefined;
}

/** Trees of another parser version are never read again. */
function removeOtherVersions(parent: string, version: string): void {
  try {
    for (const other of readdirSync(parent)) if (other !== version) rmSync(path.join(parent, other), { recursive: true, force: true });
  } catch {
    // Left for the next run to clean up.
  }
}
