#!/usr/bin/env node
// UI tests of the JupyterLab extension in a real JupyterLab from PyPI, driven by Galata in Debian's chromium.
// Installs what it needs on a fresh machine (apt chromium, a venv with JupyterLab and the built wheel) and caches
// the slow parts: the venv is rebuilt only when its requirement files change.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const extension = join(root, 'jupyter-extension');
const cache = join(root, '.cache', 'e2e-jupyterlab');
const venv = join(cache, 'venv');
const venvBin = join(venv, 'bin');
const chromium = process.env.CELLPIPE_CHROMIUM ?? '/usr/bin/chromium';
const requirementFiles = ['jupyter-extension/requirements.txt', 'examples/requirements.txt'];

function run(command, args, options = {}) {
  console.log(`e2e-jupyterlab: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`e2e-jupyterlab: '${command} ${args.join(' ')}' failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}

function ensureChromium() {
  if (existsSync(chromium)) return;
  // Debian's chromium package: Playwright's own browser download is never used.
  const [command, ...prefix] = process.getuid?.() === 0 ? ['apt-get'] : ['sudo', 'apt-get'];
  run(command, [...prefix, 'update']);
  run(command, [...prefix, 'install', '-y', '--no-install-recommends', 'chromium']);
}

function ensureVenv() {
  const digest = createHash('sha256');
  for (const file of requirementFiles) digest.update(file).update(readFileSync(join(root, file)));
  const want = digest.digest('hex');
  const stamp = join(venv, '.cellpipe-e2e-requirements');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  mkdirSync(cache, { recursive: true });
  // The repository root is "type": "module"; Node scripts inside the venv (jupyter-builder's) are CommonJS.
  writeFileSync(join(cache, 'package.json'), '{ "type": "commonjs" }\n');
  if (!existsSync(join(venvBin, 'python')))
    run(process.env.CELLPIPE_BOOTSTRAP_PYTHON ?? 'python3', ['-m', 'venv', venv]);
  run(join(venvBin, 'python'), [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    ...requirementFiles.flatMap((file) => ['-r', file]),
  ]);
  writeFileSync(stamp, want);
}

function buildAndInstallWheel() {
  if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) run('npm', ['install', '--no-fund', '--no-audit']);
  // Fresh build outputs each time: the wheel's build hook skips the npm build when they exist.
  rmSync(join(extension, 'cellpipe_jupyterlab', 'labextension'), { recursive: true, force: true });
  rmSync(join(extension, 'cellpipe_jupyter_bundle'), { recursive: true, force: true });
  run('npm', ['run', 'build:wheel'], {
    cwd: extension,
    env: { ...process.env, PATH: `${venvBin}:${process.env.PATH}` },
  });
  const dist = join(cache, 'dist');
  rmSync(dist, { recursive: true, force: true });
  run(join(venvBin, 'python'), ['-m', 'build', '--wheel', '--no-isolation', '--outdir', dist, extension]);
  const wheel = readdirSync(dist).find((file) => file.endsWith('.whl'));
  run(join(venvBin, 'pip'), ['install', '--quiet', '--force-reinstall', '--no-deps', join(dist, wheel)]);
  // As the README's from-this-repository steps do: `import cellpipe` works in the notebook's own kernel.
  run(join(venvBin, 'pip'), ['install', '--quiet', '--force-reinstall', '--no-deps', join(root, 'kernel-bridge')]);
  run(join(venvBin, 'jupyter'), ['server', 'extension', 'list']);
}

ensureChromium();
ensureVenv();
if (!process.argv.includes('--no-build')) buildAndInstallWheel();
const galataRoot = join(cache, 'root');
rmSync(galataRoot, { recursive: true, force: true });
mkdirSync(galataRoot, { recursive: true });
const env = {
  ...process.env,
  CELLPIPE_E2E_TOKEN: randomBytes(16).toString('hex'),
  CELLPIPE_E2E_VENV_BIN: venvBin,
  CELLPIPE_CHROMIUM: chromium,
  JUPYTERLAB_GALATA_ROOT_DIR: galataRoot,
  PATH: `${venvBin}:${process.env.PATH}`,
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
};
delete env.CELLPIPE_CLI;
const bench = process.argv.includes('--bench');
const config = bench
  ? join(root, 'bench', 'jupyterlab', 'playwright.bench.config.cjs')
  : join(root, 'test', 'e2e', 'jupyterlab', 'playwright.config.cjs');
const playwrightArgs = process.argv.slice(2).filter((arg) => arg !== '--bench' && arg !== '--no-build');
run(
  process.execPath,
  [join(root, 'node_modules', '@playwright', 'test', 'cli.js'), 'test', '--config', config, ...playwrightArgs],
  {
    env,
  },
);
