import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, readCacheFile, writeCacheFile } from '../disk-cache.js';

/*
 * A migration file that is data alone (it imports nothing but 'phasegate'
 * and reads nothing from outside itself) exports the same value for the same
 * text, so that value is kept on disk under a hash of the text and of what
 * 'phasegate' gives it, and the next run needs no loader for the file. Every
 * other file is loaded each time. A value is kept only after a load that
 * succeeded in the worker, so a file that throws, hangs or exits is never
 * answered from here.
 */

/** Any way to reach beyond the file's own text: other modules, the process, time, randomness, the file system. */
const OUTSIDE =
  /\b(?:require|process|globalThis|global|eval|Function|Date|Math|Reflect|Proxy|setTimeout|setInterval|setImmediate|queueMicrotask|fetch|WebAssembly|Buffer|__dirname|__filename)\b|\bimport\s*[(.]|\bexport\s+(?:\*|\{[^}]*\}\s*from)/;
const IMPORT_FROM = /\bimport\b[^'"]*from\s*(['"])([^'"]*)\1/g;

/** Whether the text of a migration file can only ever export one value. */
export function isDataOnly(source: string): boolean {
  if (OUTSIDE.test(source)) return false;
  const imports = [...source.matchAll(IMPORT_FROM)];
  const bareImports = (source.match(/\bimport\s*['"]/g) ?? []).length;
  return bareImports === 0 && imports.every((m) => m[2] === 'phasegate');
}

/** Cached exports of data-only migration files, in the cache folder of this installation. */
export class ExportCache {
  readonly #dir: string | undefined;
  readonly #api: string;

  /** `api` is the text of what 'phasegate' resolves to in the worker: other builders, other values. */
  constructor(api: string) {
    // This file is <package root>/dist/load/ or /src/load/.
    const dir = cacheDir(fileURLToPath(new URL('../../', import.meta.url)));
    this.#dir = dir === undefined ? undefined : path.join(dir, 'exports');
    this.#api = api;
  }

  /** The export a data-only file had when last loaded, or undefined (not data-only, never loaded, or no cache). */
  read(source: string): { readonly value: unknown } | undefined {
    if (this.#dir === undefined || !isDataOnly(source)) return undefined;
    const text = readCacheFile(path.join(this.#dir, this.#name(source)))?.toString('utf8');
    if (text === undefined) return undefined;
    try {
      return { value: JSON.parse(text) as unknown };
    } catch {
      return undefined;
    }
  }

  /** Keeps the export of a data-only file that just loaded; JSON, so only plain data is kept (anything else is simply not cached). */
  write(source: string, value: unknown): void {
    if (this.#dir === undefined || !isDataOnly(source)) return;
    let text: string;
    try {
      text = JSON.stringify(value);
    } catch {
      return;
    }
    if (text === undefined || JSON.stringify(JSON.parse(text)) !== text || !sameData(JSON.parse(text), value)) return;
    writeCacheFile(this.#dir, this.#name(source), text);
  }

  #name(source: string): string {
    return `${createHash('sha256').update(this.#api).update('\0').update(source).digest('hex').slice(0, 40)}.json`;
  }
}

/** JSON keeps the value exactly (no undefined, NaN, Infinity, -0 or non-plain objects lost on the way). */
function sameData(a: unknown, b: unknown): boolean {
  if (typeof b === 'number') return Object.is(a, b);
  if (b === null || typeof b !== 'object') return a === b;
  if (Array.isArray(b)) return Array.isArray(a) && a.length === b.length && b.every((v, i) => sameData(a[i], v));
  if (Object.getPrototypeOf(b) !== Object.prototype || a === null || typeof a !== 'object') return false;
  const keys = Object.keys(b);
  return keys.length === Object.keys(a).length && keys.every((k) => sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
