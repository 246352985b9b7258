// Bundles the extension host code (with @cellpipe/core from source) and the graph webview,
// and copies the Python step runtime beside the bundle where core's runtimeDir() looks for it.
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const production = process.argv.includes('--production');
const dist = join(here, 'dist');
const core = join(here, '..', 'packages', 'core', 'src');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const common = { bundle: true, minify: production, sourcemap: !production, logLevel: 'warning', legalComments: 'none' };

// elkjs (1.5 MB) takes about half a second to load and only the graph view needs it, so it lives in its own bundle,
// graphLayout.cjs, loaded on the first graph. core's layout module stays reachable from the host bundle (a namespace
// keeps it from being tree-shaken), so there elkjs is replaced by a stand-in that is never called.
const elkOnlyInGraphLayout = {
  name: 'elk-only-in-graph-layout',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^elkjs\// }, (args) => ({ path: args.path, namespace: 'elk-stand-in' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'elk-stand-in' }, () => ({
      contents: "module.exports = class { layout() { throw new Error('graph layout runs from graphLayout.cjs'); } };",
      loader: 'js',
    }));
  },
};
// core has no import-time side effects, so modules the glue does not use can be dropped; core's package.json does
// not declare it, so this build does. Activation then loads the glue only; engine.cjs carries the rest.
const coreIsPure = {
  name: 'core-is-pure',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@cellpipe\/core(\/node)?$/ }, (args) => ({
      path: join(core, args.path.endsWith('/node') ? 'node.ts' : 'index.ts'),
      sideEffects: false,
    }));
    pluginBuild.onResolve({ filter: /^\.\.?\// }, (args) =>
      args.importer.startsWith(core)
        ? { path: resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')), sideEffects: false }
        : undefined,
    );
  },
};

const host = {
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode'],
  // core locates its runtime from import.meta.url, which a CommonJS bundle must provide itself.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

await build({
  ...common,
  ...host,
  entryPoints: [join(here, 'src', 'graphLayout.ts')],
  outfile: join(dist, 'graphLayout.cjs'),
  plugins: [coreIsPure],
});

await build({
  ...common,
  entryPoints: [join(here, 'src', 'extension.ts')],
  outfile: join(dist, 'extension.cjs'),
  ...host,
  plugins: [coreIsPure, elkOnlyInGraphLayout],
});

await build({
  ...common,
  entryPoints: [join(here, 'src', 'engine.ts')],
  outfile: join(dist, 'engine.cjs'),
  ...host,
  plugins: [coreIsPure, elkOnlyInGraphLayout],
});

await build({
  ...common,
  entryPoints: [join(here, 'src', 'webview', 'graphView.ts')],
  outfile: join(dist, 'graph.js'),
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
});

const runtimeSource = join(here, '..', 'kernel-bridge', 'cellpipe');
const runtimeTarget = join(dist, 'runtime', 'cellpipe');
// The step runtime's sources only: no tests, no bytecode caches.
cpSync(runtimeSource, runtimeTarget, {
  recursive: true,
  filter: (source) => {
    const name = basename(source);
    return name !== '__pycache__' && !name.startsWith('test_') && (name.endsWith('.py') || !name.includes('.'));
  },
});
