import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { cacheDir, readCacheFile, writeCacheFile } from '../disk-cache.js';

/** The CLI bundle's exports, and a way to keep what V8 compiled for the next run. */
export interface LoadedBundle<T> {
  readonly exports: T;
  /** Stores the code compiled so far (the run's own functions included) when there was no usable cache. */
  readonly saveCache: () => void;
}

/**
 * Loads the CommonJS bundle of the CLI (dist/migrate.cjs) the way Node's
 * require would, but with V8's code cache: Node 20 has no compile cache of
 * its own, and compiling the bundle's code anew is a good part of every
 * command's start-up. The cache lives in node_modules/.cache/phasegate of the
 * project phasegate is installed in (of its own checkout in development),
 * one per command, named after a hash of the bundle, the Node version and the architecture;
 * V8 itself refuses a cache made with other flags. Without such a folder
 * the bundle is compiled anew each time.
 */
export function loadBundle<T>(file: string, command: string | undefined): LoadedBundle<T> {
  // `file` is <package root>/dist/migrate.cjs.
  const dir = cacheDir(path.dirname(path.dirname(file)));
  const source = readFileSync(file);
  const build = createHash('sha256').update(source).update(`${process.version} ${process.arch}`).digest('hex').slice(0, 32);
  // One cache per command: each holds the functions its command compiled.
  const name = `migrate-${build}-${command !== undefined && /^[a-z]+$/.test(command) ? command : 'other'}.v8`;
  const cachedData = dir === undefined ? undefined : readCacheFile(path.join(dir, name));
  // Node's CommonJS wrapper, on the first line so that line numbers stay right.
  // The bundle is ASCII (scripts/bundle-cli.mjs checks it): Latin-1 reads it without decoding.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, importPackage) {${source.toString('latin1')}\n})`, {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData }),
  });
  const module = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(file), module, file, path.dirname(file), importPackage);
  return {
    exports: module.exports as T,
    saveCache: () => {
      if (dir === undefined || (cachedData !== undefined && !script.cachedDataRejected)) return;
      writeCache(dir, name, build, script.createCachedData());
    },
  };
}

/*
 * The bundle's dynamic imports of packages (the parser, jiti, pino-pretty...)
 * come here: V8 forgets a script's dynamic-import hook when it compiles the
 * script from a code cache. Packages resolve from dist/ as they would from
 * the bundle beside it.
 */
function importPackage(specifier: string): Promise<unknown> {
  return import(specifier);
}

/** The cache is only a speed-up: a folder that cannot be written just means no cache. */
function writeCache(dir: string, name: string, build: string, data: Buffer): void {
  if (!writeCacheFile(dir, name, data)) return;
  try {
    for (const other of readdirSync(dir)) {
      // Caches of other builds or Node versions are never read again.
      if (/^migrate-[0-9a-f]+-[a-z]+\.v8$/.test(other) && !other.startsWith(`migrate-${build}-`)) rmSync(path.join(dir, other), { force: true });
    }
  } catch {
    // Left for the next run to clean up.
  }
}
