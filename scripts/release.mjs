#!/usr/bin/env node
// `npm run release`: builds every artifact a user installs into dist/, from a clean build of this checkout:
//   cellpipe-core-V.tgz, cellpipe-V.tgz      npm: @cellpipe/core and the `cellpipe` CLI (npm install -g both)
//   cellpipe-V-py3-none-any.whl              the Python step runtime (`import cellpipe` in any kernel)
//   cellpipe_jupyterlab-V-py3-none-any.whl   JupyterLab extension + server extension (depends on the cellpipe wheel)
//   cellpipe-vscode-V.vsix                   the VS Code extension
// Every package carries one version; a mismatch stops the release naming the file. A failed build step stops it
// too, and dist/ is replaced only when every artifact was built.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const staging = join(root, 'dist.tmp');
const venvBin = join(root, '.venv', 'bin');

class ReleaseError extends Error {}

function run(command, args, options = {}) {
  console.log(`release: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0)
    throw new ReleaseError(`'${command} ${args.join(' ')}' failed (exit ${result.status ?? result.signal})`);
}

function readJson(relative) {
  return JSON.parse(readFileSync(join(root, relative), 'utf8'));
}

/** `version = "…"` of a pyproject's [project] table, and its exact `cellpipe==…` pin when it has one. */
function pyproject(relative) {
  const text = readFileSync(join(root, relative), 'utf8');
  return {
    version: /^version\s*=\s*"([^"]+)"/m.exec(text)?.[1],
    cellpipePin: /"cellpipe==([^"]+)"/.exec(text)?.[1],
  };
}

/** The one version of this release; throws naming the first file that disagrees. */
export function releaseVersion() {
  const version = readJson('packages/core/package.json').version;
  const declared = [
    ['packages/cli/package.json', readJson('packages/cli/package.json').version],
    [
      'packages/cli/package.json dependencies.@cellpipe/core',
      readJson('packages/cli/package.json').dependencies['@cellpipe/core'],
    ],
    ['jupyter-extension/package.json', readJson('jupyter-extension/package.json').version],
    ['vscode-extension/package.json', readJson('vscode-extension/package.json').version],
    ['kernel-bridge/pyproject.toml', pyproject('kernel-bridge/pyproject.toml').version],
    ['jupyter-extension/pyproject.toml', pyproject('jupyter-extension/pyproject.toml').version],
    ['jupyter-extension/pyproject.toml cellpipe==', pyproject('jupyter-extension/pyproject.toml').cellpipePin],
  ];
  for (const [where, value] of declared)
    if (value !== version)
      throw new ReleaseError(`version: ${where} says '${value}', packages/core/package.json says '${version}'`);
  return version;
}

/**
 * npm tarballs of core and the CLI; each ships the step runtime in `runtime/`, where runtimeDir() finds it: core
 * beside its lib/, the CLI beside its bundle (dist/), which carries core inside.
 */
function packNpm() {
  const runtimeCopies = ['core', 'cli'].map((name) => join(root, 'packages', name, 'runtime'));
  try {
    for (const runtimeCopy of runtimeCopies) {
      rmSync(runtimeCopy, { recursive: true, force: true });
      cpSync(join(root, 'kernel-bridge', 'cellpipe'), join(runtimeCopy, 'cellpipe'), {
        recursive: true,
        filter: (path) => !/(^|\/)(__pycache__|test_[^/]*\.py|conftest\.py)$/.test(path) && !path.endsWith('.pyc'),
      });
    }
    run('npm', ['pack', '--pack-destination', staging, '-w', 'packages/core', '-w', 'packages/cli']);
  } finally {
    // The copies are for packing only: in the checkout, runtimeDir() must keep finding kernel-bridge/.
    for (const runtimeCopy of runtimeCopies) rmSync(runtimeCopy, { recursive: true, force: true });
  }
}

function buildWheels() {
  const python = join(venvBin, 'python');
  const env = { ...process.env, PATH: `${venvBin}:${process.env.PATH}` };
  run(python, ['-m', 'build', '--wheel', '--no-isolation', '--outdir', staging, 'kernel-bridge'], { env });
  const extension = join(root, 'jupyter-extension');
  // Fresh frontend and engine bundle each time: the wheel's build hook skips the npm build when they exist.
  rmSync(join(extension, 'cellpipe_jupyterlab', 'labextension'), { recursive: true, force: true });
  rmSync(join(extension, 'cellpipe_jupyter_bundle'), { recursive: true, force: true });
  run('npm', ['run', 'build:wheel'], { cwd: extension, env });
  run(python, ['-m', 'build', '--wheel', '--no-isolation', '--outdir', staging, extension], { env });
}

function packVsix(version) {
  run('npm', ['run', 'package', '-w', 'vscode-extension']);
  const vsix = join(root, 'vscode-extension', 'dist', `cellpipe-vscode-${version}.vsix`);
  if (!existsSync(vsix)) throw new ReleaseError(`vscode-extension packaging did not produce ${vsix}`);
  cpSync(vsix, join(staging, basename(vsix)));
}

/** The artifact file names a release of `version` holds. */
export function artifactNames(version) {
  return [
    `cellpipe-core-${version}.tgz`,
    `cellpipe-${version}.tgz`,
    `cellpipe-${version}-py3-none-any.whl`,
    `cellpipe_jupyterlab-${version}-py3-none-any.whl`,
    `cellpipe-vscode-${version}.vsix`,
  ];
}

function main() {
  const version = releaseVersion();
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  run(process.execPath, [join(root, 'scripts', 'setup.mjs'), '--quiet']);
  run('npm', ['run', '--silent', 'build', '-w', 'packages/cli']);
  packNpm();
  buildWheels();
  packVsix(version);
  const missing = artifactNames(version).filter((name) => !existsSync(join(staging, name)));
  if (missing.length > 0) throw new ReleaseError(`release: not built: ${missing.join(', ')}`);
  const sums = readdirSync(staging)
    .sort()
    .map(
      (name) =>
        `${createHash('sha256')
          .update(readFileSync(join(staging, name)))
          .digest('hex')}  ${name}`,
    );
  writeFileSync(join(staging, 'SHA256SUMS'), `${sums.join('\n')}\n`);
  rmSync(dist, { recursive: true, force: true });
  renameSync(staging, dist);
  console.log(`release: ${version} in ${dist}\n${sums.join('\n')}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    main();
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    console.error(error instanceof ReleaseError ? `release: ${error.message}` : error);
    process.exit(1);
  }
}
