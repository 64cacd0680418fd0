import type { Jiti } from 'jiti';
import { sourceOf } from './isolated-import.js';

/*
 * Config files import from 'phasegate' (migration files load in a worker,
 * see isolated-import.ts). The alias points that name at this very copy of
 * phasegate (dist/index.js when built, src/index.ts when run from source), so
 * a project works wherever it lives, installed package or not.
 */
let jiti: Promise<Jiti> | undefined;

/** Loads a .ts/.js module (no build step needed) in this thread and returns its default export. */
export async function importModule(file: string): Promise<unknown> {
  // Loaded on first use: most commands run without a config file to import.
  jiti ??= (async () => {
    const { createJiti } = await import('jiti');
    return createJiti(import.meta.url, { alias: { phasegate: sourceOf('../index.js') }, moduleCache: false });
  })();
  return (await jiti).import(file, { default: true });
}
