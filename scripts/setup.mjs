#!/usr/bin/env node
// Installs everything the repository needs that npm does not: the Python venv (.venv) with the
// requirement files below. Re-runs are cheap: a stamp holds the hash of the requirement files.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const venv = join(root, '.venv');
const python = join(venv, 'bin', 'python');
const requirementFiles = [
  'examples/requirements.txt',
  'kernel-bridge/requirements/test.txt',
  'jupyter-extension/requirements.txt',
  'test/corpus/requirements.txt',
];
const quiet = process.argv.includes('--quiet');

function log(message) {
  if (!quiet) console.log(`setup: ${message}`);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit' });
  if (result.status !== 0) {
    console.error(`setup: '${command} ${args.join(' ')}' failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

function ensureNodeModules() {
  if (existsSync(join(root, 'node_modules', '.package-lock.json'))) return;
  log('installing npm packages');
  // Exactly the lockfile's versions; test/release checks that `npm ci` works and `npm install` keeps the lockfile.
  run('npm', ['ci', '--no-fund', '--no-audit']);
}

function ensureVenv() {
  const files = requirementFiles.filter((file) => existsSync(join(root, file)));
  const digest = createHash('sha256');
  for (const file of files) digest.update(file).update(readFileSync(join(root, file)));
  const want = digest.digest('hex');
  const stamp = join(venv, '.cellpipe-requirements');
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  if (!existsSync(python)) {
    log('creating Python venv in .venv');
    run(process.env.CELLPIPE_BOOTSTRAP_PYTHON ?? 'python3', ['-m', 'venv', venv]);
  }
  log(`installing Python packages from ${files.join(', ')}`);
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...files.flatMap((f) => ['-r', f])]);
  writeFileSync(stamp, want);
}

ensureNodeModules();
ensureVenv();
