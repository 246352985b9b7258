#!/usr/bin/env node
// Clean-install tests of the release: builds dist/ (`npm run release`; a failed build fails here), creates a
// fresh "user" Python venv outside the checkout with the released wheels and the example's libraries, then runs
// test/release/*.test.mjs, which install each artifact the way a user does and run the demo notebook from there.
// Usage: node scripts/test-release.mjs [--no-build] [node --test reporter options]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const args = process.argv.slice(2);

function run(command, argv, options = {}) {
  console.log(`test-release: ${command} ${argv.join(' ')}`);
  const result = spawnSync(command, argv, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`test-release: '${command} ${argv.join(' ')}' failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}

if (!args.includes('--no-build')) run(process.execPath, [join(root, 'scripts', 'release.mjs')], { cwd: root });
const wheel = readdirSync(dist).find((name) => name.startsWith('cellpipe_jupyterlab-') && name.endsWith('.whl'));
if (!wheel) {
  console.error(`test-release: no cellpipe_jupyterlab wheel in ${dist}; run npm run release`);
  process.exit(1);
}

const home = mkdtempSync(join(tmpdir(), 'cellpipe-release-'));
const venv = join(home, 'venv');
// The example's requirement file is the user's own; the checkout is not on any path the tests use.
cpSync(join(root, 'examples', 'requirements.txt'), join(home, 'requirements.txt'));
run(process.env.CELLPIPE_BOOTSTRAP_PYTHON ?? 'python3', ['-m', 'venv', venv], { cwd: home });
run(
  join(venv, 'bin', 'python'),
  [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '--find-links',
    dist,
    join(dist, wheel),
    '-r',
    join(home, 'requirements.txt'),
    'ipykernel',
    'nbclient',
  ],
  { cwd: home },
);

const env = { ...process.env, CELLPIPE_RELEASE_DIST: dist, CELLPIPE_RELEASE_HOME: home };
for (const name of Object.keys(env))
  if (['PYTHONPATH', 'VIRTUAL_ENV', 'CONDA_PREFIX'].includes(name) || /^CELLPIPE_(?!RELEASE_)/.test(name))
    delete env[name];
const reporters = args.filter((arg) => arg !== '--no-build');
const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=1', ...reporters, join(root, 'test', 'release')],
  { cwd: home, stdio: 'inherit', env },
);
rmSync(home, { recursive: true, force: true });
process.exit(result.status ?? 1);
