#!/usr/bin/env node
// `npm run test:python`: the Python tests (step runtime, server extension, real-world corpus digest) in the venv.
// Extra arguments go to pytest (`npm run test:python -- -k handlers`, `--junitxml=FILE`).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const setup = spawnSync(process.execPath, [join(root, 'scripts', 'setup.mjs'), '--quiet'], { stdio: 'inherit' });
if (setup.status !== 0) process.exit(setup.status ?? 1);
const result = spawnSync(
  join(root, '.venv', 'bin', 'python'),
  // Separate roots: the server extension's conftest loads a pytest plugin, which pytest allows only at a root.
  [
    '-m',
    'pytest',
    '-q',
    'kernel-bridge/cellpipe',
    'kernel-bridge/cellpipe_jupyter',
    'test/realworld',
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
