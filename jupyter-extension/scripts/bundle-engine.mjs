#!/usr/bin/env node
// Bundles the cellpipe CLI (one ESM file) and the Python step runtime into cellpipe_jupyter_bundle/engine/,
// which the wheel ships as cellpipe_jupyter/engine/: the Jupyter host then needs only `node` >= 20.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const extension = join(here, '..');
const repo = join(extension, '..');
const target = join(extension, 'cellpipe_jupyter_bundle', 'engine');
const staging = `${target}.tmp`;

rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
await build({
  // The CLI's built lib/, not its bin (which loads the CLI's own split bundle): one file is simpler to ship.
  stdin: {
    contents: "import { main } from './lib/main.js';\nprocess.exitCode = await main(process.argv.slice(2));\n",
    resolveDir: join(repo, 'packages', 'cli'),
    sourcefile: 'cellpipe-engine.js',
  },
  outfile: join(staging, 'cellpipe.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Some bundled CommonJS dependencies call require(); ESM output needs one.
  banner: {
    js: "import { createRequire as __cellpipeRequire } from 'node:module'; const require = __cellpipeRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
const runtimeSource = join(repo, 'kernel-bridge', 'cellpipe');
const runtimeTarget = join(staging, 'runtime', 'cellpipe');
cpSync(runtimeSource, runtimeTarget, {
  recursive: true,
  filter: (path) => {
    const name = path.split('/').pop() ?? '';
    if (statSync(path).isDirectory()) return name !== '__pycache__';
    return name.endsWith('.py') && !name.startsWith('test_') && name !== 'conftest.py';
  },
});
const runtimeCount = readdirSync(runtimeTarget).length;
rmSync(target, { recursive: true, force: true });
renameSync(staging, target);
console.log(`bundle-engine: ${target} (${runtimeCount} runtime files)`);
