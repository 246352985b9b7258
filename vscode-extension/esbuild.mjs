// Bundles the extension host code (with @cellpipe/core from source), the notebook renderer and the graph webview,
// and copies the Python step runtime beside the bundle where core's runtimeDir() looks for it.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const production = process.argv.includes('--production');
const dist = join(here, 'dist');
const core = join(here, '..', 'packages', 'core', 'src');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const common = { bundle: true, minify: production, sourcemap: !production, logLevel: 'warning', legalComments: 'none' };

await build({
  ...common,
  entryPoints: [join(here, 'src', 'extension.ts')],
  outfile: join(dist, 'extension.cjs'),
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode'],
  alias: { '@cellpipe/core/node': join(core, 'node.ts'), '@cellpipe/core': join(core, 'index.ts') },
  // core locates its runtime from import.meta.url, which a CommonJS bundle must provide itself.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});

await build({
  ...common,
  entryPoints: [join(here, 'src', 'renderer', 'metricsRenderer.ts')],
  outfile: join(dist, 'renderer.js'),
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
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
mkdirSync(runtimeTarget, { recursive: true });
for (const file of readdirSync(runtimeSource)) {
  if (file.endsWith('.py') && !file.startsWith('test_')) cpSync(join(runtimeSource, file), join(runtimeTarget, file));
}
