import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';

/*
 * Migration files and configs import `defineMigration` from 'phasegate'.
 * The alias points that name at this very copy of phasegate (dist/index.js
 * when built, src/index.ts when run from source), so a migrations directory
 * works wherever it lives, installed package or not.
 */
const builtEntry = fileURLToPath(new URL('../index.js', import.meta.url));
const selfEntry = existsSync(builtEntry) ? builtEntry : builtEntry.replace(/\.js$/, '.ts');
const jiti = createJiti(import.meta.url, { alias: { phasegate: selfEntry }, moduleCache: false });

/** Loads a .ts/.js module (no build step needed) and returns its default export. */
export async function importModule(file: string): Promise<unknown> {
  return jiti.import(file, { default: true });
}
