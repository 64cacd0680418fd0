import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/*
 * phasegate's caches on disk (compiled CLI code, migration files' exports)
 * are only speed-ups: no folder, a file that cannot be read or written, or
 * one another run is writing, all just mean doing the work anew.
 */

/** node_modules/.cache/phasegate of the project the package at `root` belongs to (its own in development), if there is a node_modules. */
export function cacheDir(root: string): string | undefined {
  const parts = root.split(path.sep);
  const installedIn = parts.lastIndexOf('node_modules');
  const modules = installedIn === -1 ? path.join(root, 'node_modules') : parts.slice(0, installedIn + 1).join(path.sep);
  return existsSync(modules) ? path.join(modules, '.cache', 'phasegate') : undefined;
}

export function readCacheFile(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes whole under a name of its own, then renames: a concurrent run reads the old file or the new one. Returns whether it worked. */
export function writeCacheFile(dir: string, name: string, data: string | Buffer): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    const temporary = path.join(dir, `.${name}.${process.pid}`);
    writeFileSync(temporary, data);
    renameSync(temporary, path.join(dir, name));
    return true;
  } catch {
    return false;
  }
}
