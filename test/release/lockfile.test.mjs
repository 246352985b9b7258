// Reproducible installs: on a clean clone, `npm install` leaves package-lock.json as committed and `npm ci` works.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { home, userEnv } from './common.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: userEnv() });
  assert.equal(result.status, 0, `${command} ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

test('npm install on a clean clone keeps package-lock.json; npm ci accepts it', () => {
  const clone = join(mkdtempSync(join(home, 'clone-')), 'cellpipe');
  run('git', ['clone', '--quiet', '--no-hardlinks', repo, clone], home);
  const quiet = ['--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'];
  run('npm', ['install', ...quiet], clone);
  run('git', ['diff', '--exit-code', '--stat', 'package-lock.json'], clone);
  // npm ci checks the lockfile against every package.json before installing; a fresh CI machine's setup
  // (scripts/setup.mjs) runs the real `npm ci`, so here the check alone spares a second full install.
  run('npm', ['ci', '--dry-run', ...quiet], clone);
  run('git', ['diff', '--exit-code', '--stat', 'package-lock.json'], clone);
});
