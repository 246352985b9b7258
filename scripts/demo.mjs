#!/usr/bin/env node
// `npm run demo`: installs what is missing, builds, and runs the scikit-learn example notebook as a
// pipeline on the local engine (live step table on a terminal), then once more to show the cache.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const python = join(root, '.venv', 'bin', 'python');
const notebook = join('examples', 'wine', 'wine.ipynb');

function run(command, args) {
  const status = spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
  if (status !== 0) process.exit(status);
}

run(process.execPath, [join(root, 'scripts', 'setup.mjs')]);
run('npm', ['run', '--silent', 'build', '-w', 'packages/cli']);
const cli = join(root, 'packages', 'cli', 'bin', 'cellpipe.js');
console.log(`\n$ npx cellpipe run ${notebook} -p n_estimators=300 --python .venv/bin/python`);
run(process.execPath, [cli, 'run', notebook, '-p', 'n_estimators=300', '--python', python]);
console.log(
  `\n$ npx cellpipe run ${notebook} -p n_estimators=300 --python .venv/bin/python   # unchanged: served from cache`,
);
run(process.execPath, [cli, 'run', notebook, '-p', 'n_estimators=300', '--python', python]);
