#!/usr/bin/env node
// Bundles the built CLI (lib/, with @cellpipe/core and its dependencies) into dist/: an entry holding the argument
// parsing and one chunk per subcommand, so `cellpipe --help` and `cellpipe run` load only what they use, from a few
// files instead of hundreds of modules. Skips the work when dist/ is newer than every file it was built from, this
// script included.
import { build } from 'esbuild';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(cli, 'dist');
const staging = `${dist}.tmp`;
const inputsFile = join(dist, 'inputs.json');

/** True when dist/ exists and none of the files the last bundle read changed since. */
function upToDate() {
  if (!existsSync(inputsFile)) return false;
  const builtAt = statSync(inputsFile).mtimeMs;
  const inputs = JSON.parse(readFileSync(inputsFile, 'utf8'));
  return inputs.every((path) => existsSync(path) && statSync(path).mtimeMs <= builtAt);
}

if (!upToDate()) {
  rmSync(staging, { recursive: true, force: true });
  const result = await build({
    entryPoints: { cellpipe: join(cli, 'lib', 'main.js') },
    outdir: staging,
    bundle: true,
    splitting: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // Some bundled CommonJS dependencies call require(); ESM output needs one.
    banner: {
      js: "import { createRequire as __cellpipeRequire } from 'node:module'; const require = __cellpipeRequire(import.meta.url);",
    },
    metafile: true,
    logLevel: 'warning',
  });
  // This script too: changed bundle options must rebuild.
  const inputs = [fileURLToPath(import.meta.url), ...Object.keys(result.metafile.inputs).map((path) => resolve(path))];
  writeFileSync(join(staging, 'inputs.json'), JSON.stringify(inputs));
  rmSync(dist, { recursive: true, force: true });
  renameSync(staging, dist);
}
