// The cellpipe wheel in a user's venv: `import cellpipe` in a plain kernel, the demo notebook top to bottom.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { home, python, userEnv, workFolder } from './common.mjs';

test('import cellpipe works outside the checkout and cellpipe.log_metric is callable', () => {
  const result = spawnSync(
    python,
    ['-c', 'import cellpipe; cellpipe.log_metric("accuracy", 0.9); print(cellpipe.__file__)'],
    { cwd: home, encoding: 'utf8', env: userEnv() },
  );
  assert.equal(result.status, 0, result.stderr);
  const [reported, file] = result.stdout.trim().split('\n');
  assert.equal(reported, 'cellpipe metric accuracy = 0.9');
  assert.ok(file?.startsWith(join(home, 'venv')), `imported from the venv: ${file}`);
});

test('the demo notebook runs top to bottom in a plain Jupyter kernel', () => {
  const dir = workFolder('kernel');
  const result = spawnSync(join(home, 'venv', 'bin', 'jupyter-execute'), ['--timeout=600', 'wine.ipynb'], {
    cwd: dir,
    encoding: 'utf8',
    env: userEnv(),
  });
  assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
});
