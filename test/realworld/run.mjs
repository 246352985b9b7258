#!/usr/bin/env node
// `npm run corpus:realworld`: builds the CLI, makes sure a Python has the corpus's packages, then runs
// corpus.py (every notebook as a pipeline vs top to bottom) at low priority. With no arguments it writes
// RESULTS.md here; arguments (`--only NAME…`, `--groupings 1,3`, `--json FILE`) go to corpus.py as they are.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const requirements = join(here, 'requirements.txt');
const sharedVenv = join(root, '.venv');
const ownVenv = join(here, '.venv');
// The repository's own requirement files: an own venv needs them too (nbclient, ipykernel, pandas…).
const repoRequirements = ['examples/requirements.txt', 'kernel-bridge/requirements/test.txt'];

function run(command, args, options = {}) {
  return spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], ...options }).status === 0;
}

function fail(message) {
  console.error(`corpus:realworld: ${message}`);
  process.exit(1);
}

const wanted = createHash('sha256').update(readFileSync(requirements)).digest('hex');
const stampOf = (venv) => join(venv, '.realworld-requirements');
const ready = (venv) => existsSync(stampOf(venv)) && readFileSync(stampOf(venv), 'utf8') === wanted;

/** Installs the corpus's packages into .venv only if nothing already there has to change version. */
function tryShared() {
  const python = join(sharedVenv, 'bin', 'python');
  if (!existsSync(python)) return false;
  if (ready(sharedVenv)) return true;
  const freeze = spawnSync(python, ['-m', 'pip', 'freeze', '--exclude-editable'], { encoding: 'utf8' });
  if (freeze.status !== 0) return false;
  const folder = mkdtempSync(join(tmpdir(), 'realworld-'));
  const constraints = join(folder, 'constraints.txt');
  writeFileSync(constraints, freeze.stdout.replace(/^-e .*$/gm, ''));
  const pip = [python, '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check'];
  const ok = run(pip[0], [...pip.slice(1), '-r', requirements, '-c', constraints]);
  rmSync(folder, { recursive: true, force: true });
  if (ok) writeFileSync(stampOf(sharedVenv), wanted);
  return ok;
}

function ensureOwn() {
  const python = join(ownVenv, 'bin', 'python');
  if (ready(ownVenv)) return python;
  console.error('corpus:realworld: .venv cannot take the corpus packages unchanged; creating test/realworld/.venv');
  if (!existsSync(python) && !run(process.env.CELLPIPE_BOOTSTRAP_PYTHON ?? 'python3', ['-m', 'venv', ownVenv]))
    fail('creating test/realworld/.venv failed');
  const files = [...repoRequirements, 'test/realworld/requirements.txt'].flatMap((file) => ['-r', file]);
  if (!run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...files]))
    fail('installing test/realworld/requirements.txt failed');
  writeFileSync(stampOf(ownVenv), wanted);
  return python;
}

const python = tryShared() ? join(sharedVenv, 'bin', 'python') : ensureOwn();
// The same lock as test/cliHarness.ts: builds started by jest workers and by this script do not overlap.
if (!run('flock', ['/tmp/cellpipe-tsc.lock', 'npx', 'tsc', '-b', 'packages/core', 'packages/cli']))
  fail('building the CLI failed');
const args = process.argv.slice(2);
const corpusArgs =
  args.length > 0 ? args : ['--markdown', join(here, 'RESULTS.md'), '--json', join(here, '.results.json')];
// nice: the corpus keeps both cores busy for a long time; interactive work on the machine goes first.
process.exit(run('nice', ['-n', '10', python, join(here, 'corpus.py'), ...corpusArgs]) ? 0 : 1);
