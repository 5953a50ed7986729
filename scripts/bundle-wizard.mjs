// Build step after tsc: the interactive path — dist/src/doctor.js, the engine, tools, checks and the Ink wizard
// (src/ui) with the packages they use (execa, Ink, React, …) — as ONE ES module, dist/src/wizard.bundle.js.
// main.ts imports it instead of doctor.js when it is about to start the wizard. Node 20 resolves and compiles
// ~900 small modules on that path (execa ~0.11 s, Ink and React ~0.4 s here); one file loads in a fraction, so
// Ink's first frame comes sooner. The plain (non-interactive) path keeps the modules: nothing changes there.
//
// Some project modules stay OUTSIDE the bundle, imported by their relative path (the bundle sits in dist/src/):
//  - those main.ts and cli.js load before the bundle and that keep state (the shutdown signal, the splash):
//    the bundle must use the very instances already loaded, not copies of its own;
//  - those that find files next to themselves through import.meta.url (paths, lab/paths, the plugin resolve
//    hook): inside the bundle they would look next to the bundle;
//  - the public plugin API (plugins/api.js, plugins/testing*.js), which plugins import by the package's path.
// The build fails if a bundled project module uses import.meta, so a new one cannot slip in unnoticed.
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const src = join(dist, 'src');
const entry = join(src, 'doctor.js');
const outfile = join(src, 'wizard.bundle.js');

/** Paths under dist/ that stay modules of their own. */
const KEEP_OUTSIDE = [
  /^src\/(cli|main|cli-args|interactive|splash|shutdown|output-paths|paths)\.js$/,
  /^src\/lab\/(paths|echo-server)\.js$/,
  /^src\/plugins\/(host|resolve-hook|api|testing)\.js$/,
  /^src\/plugins\/testing\//,
];

if (!existsSync(entry)) {
  process.stderr.write(`bundle-wizard: ${relative(root, entry)} is missing: run tsc -p tsconfig.json first\n`);
  process.exit(1);
}

const keepOutside = {
  name: 'keep-outside',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.resolveDir.split(sep).includes('node_modules')) return undefined;
      const target = resolve(args.resolveDir, args.path);
      const inDist = relative(dist, target).split(sep).join('/');
      if (!KEEP_OUTSIDE.some((re) => re.test(inDist))) return undefined;
      const path = relative(src, target).split(sep).join('/');
      return { path: path.startsWith('.') ? path : `./${path}`, external: true };
    });
  },
};

/** Ink's React DevTools hook (imported only with DEV=true) needs react-devtools-core, not a dependency: it fails
 * as it does unbundled without the package, and Ink says so. */
const noDevtools = {
  name: 'no-devtools',
  setup(b) {
    b.onResolve({ filter: /^\.\/devtools\.js$/ }, (args) => (
      args.importer.split(sep).join('/').includes('/node_modules/ink/') ? { path: 'ink-devtools', namespace: 'xdpd-stub' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'xdpd-stub' }, () => ({
      contents: "throw new Error('react-devtools-core is not installed');", loader: 'js',
    }));
  },
};

const result = await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // React's production build, as a published CLI runs it (otherwise the bundle carries both builds and React
  // picks the development one at run time, as it does unbundled when NODE_ENV is unset).
  define: { 'process.env.NODE_ENV': '"production"' },
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  // CommonJS packages in the bundle (React) call require() for Node built-ins.
  banner: { js: "import { createRequire as __xdpdCreateRequire } from 'node:module'; const require = __xdpdCreateRequire(import.meta.url);" },
  plugins: [noDevtools, keepOutside],
  logLevel: 'warning',
  metafile: true,
});

const inputs = Object.keys(result.metafile.inputs);
const ours = inputs.filter((p) => p.startsWith('dist/'));
const selfLocating = ours.filter((p) => /\bimport\.meta\b/.test(readFileSync(join(root, p), 'utf8')));
if (selfLocating.length) {
  process.stderr.write(`bundle-wizard: these modules use import.meta and would look for files next to the bundle; ` +
    `add them to KEEP_OUTSIDE in scripts/bundle-wizard.mjs: ${selfLocating.join(', ')}\n`);
  process.exit(1);
}
process.stderr.write(`bundle-wizard: ${relative(root, outfile)} from ${inputs.length} modules (${ours.length} of xdp-doctor's)\n`);
