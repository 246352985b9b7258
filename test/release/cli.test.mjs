// The npm tarballs installed into a fresh prefix (`npm install -g`), then `cellpipe run` on the demo notebook.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifact, home, python, userEnv, workFolder } from './common.mjs';

test('npm install -g the released tarballs, then cellpipe run the demo notebook', () => {
  const prefix = mkdtempSync(join(home, 'npm-prefix-'));
  const install = spawnSync(
    'npm',
    [
      'install',
      '-g',
      '--prefix',
      prefix,
      '--no-audit',
      '--no-fund',
      artifact('cellpipe-core-', '.tgz'),
      artifact('cellpipe-0', '.tgz'),
    ],
    { cwd: prefix, encoding: 'utf8', env: userEnv() },
  );
  assert.equal(install.status, 0, install.stderr);
  const cellpipe = join(prefix, 'bin', 'cellpipe');
  // Global packages resolve each other as siblings: the CLI finds @cellpipe/core next to it.
  const core = join(prefix, 'lib', 'node_modules', '@cellpipe', 'core');
  assert.ok(existsSync(join(core, 'runtime', 'cellpipe', 'runtime.py')), 'core ships the step runtime');

  const dir = workFolder('cli');
  const run = spawnSync(cellpipe, ['run', 'wine.ipynb', '--python', python], {
    cwd: dir,
    encoding: 'utf8',
    env: userEnv(),
  });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /run succeeded/);
  const [runId] = readdirSync(join(dir, '.cellpipe', 'runs'));
  const record = JSON.parse(readFileSync(join(dir, '.cellpipe', 'runs', runId, 'run.json'), 'utf8'));
  assert.equal(record.state, 'succeeded');
  assert.ok(record.steps.length > 1 && record.steps.every((step) => step.state === 'succeeded'));
  assert.ok(Object.keys(record.steps.at(-1).metrics).length > 0, 'the last step reports metrics');

  const graph = spawnSync(cellpipe, ['graph', 'wine.ipynb', '--json'], { cwd: dir, encoding: 'utf8', env: userEnv() });
  assert.equal(graph.status, 0, graph.stderr);
  assert.deepEqual(
    JSON.parse(graph.stdout).steps.map((step) => step.name),
    record.steps.map((step) => step.name),
  );
});
