// Tests of the benchmark helpers (node --test bench/common): the generators and the RESULTS.md section writer.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pipelineNotebook, purePythonNotebook } from './notebooks.mjs';

const python = join(import.meta.dirname, '..', '..', '.venv', 'bin', 'python');

function stepTags(notebook) {
  return notebook.cells.flatMap((cell) => (cell.metadata.tags ?? []).filter((tag) => tag.startsWith('step:')));
}

/** Every code cell's source, minus the display-only continuation cells, checked by Python's own parser. */
function pythonSyntaxErrors(notebook) {
  const sources = notebook.cells.filter((cell) => cell.cell_type === 'code').map((cell) => cell.source.join(''));
  const script =
    'import ast, json, sys\nfor i, s in enumerate(json.load(sys.stdin)):\n    try:\n        ast.parse(s)\n    except SyntaxError as e:\n        print(i, e)';
  const result = spawnSync(python, ['-c', script], { input: JSON.stringify(sources), encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.trim();
}

test('pipelineNotebook is deterministic for a seed and differs across seeds', () => {
  assert.equal(
    JSON.stringify(pipelineNotebook({ steps: 80, seed: 4 })),
    JSON.stringify(pipelineNotebook({ steps: 80, seed: 4 })),
  );
  assert.notEqual(
    JSON.stringify(pipelineNotebook({ steps: 80, seed: 4 })),
    JSON.stringify(pipelineNotebook({ steps: 80, seed: 5 })),
  );
});

test('pipelineNotebook has the requested steps, unique tags, parameters and metrics', () => {
  const notebook = pipelineNotebook({ steps: 300, seed: 9 });
  const tags = stepTags(notebook);
  assert.equal(tags.length, 300);
  assert.equal(new Set(tags).size, 300);
  const allTags = notebook.cells.flatMap((cell) => cell.metadata.tags ?? []);
  assert.ok(allTags.includes('pipeline-parameters'));
  assert.ok(allTags.includes('pipeline-metrics'));
  assert.equal(new Set(notebook.cells.map((cell) => cell.id)).size, notebook.cells.length);
});

test('pipelineNotebook with totalCells has exactly that many cells', () => {
  assert.equal(pipelineNotebook({ totalCells: 200, seed: 200 }).cells.length, 200);
});

test('generated notebooks are valid Python', { skip: !existsSync(python) && 'no .venv' }, () => {
  assert.equal(pythonSyntaxErrors(pipelineNotebook({ steps: 500, seed: 500 })), '');
  assert.equal(pythonSyntaxErrors(purePythonNotebook({ steps: 40 })), '');
});

test('purePythonNotebook has the requested number of steps and refuses fewer than 3', () => {
  assert.equal(stepTags(purePythonNotebook({ steps: 20 })).length, 20);
  assert.throws(() => purePythonNotebook({ steps: 2 }), /at least 3 steps/);
});

test('writeSection replaces its own section and keeps the others', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cellpipe-bench-test-'));
  try {
    const path = join(dir, 'RESULTS.md');
    writeFileSync(
      path,
      '# results\n\n<!-- a:start -->\nold a\n<!-- a:end -->\n\n<!-- b:start -->\nkeep b\n<!-- b:end -->\n',
    );
    process.env.CELLPIPE_BENCH_RESULTS = path;
    const results = await import(`./results.mjs?${Date.now()}`);
    results.writeSection('a', 'new a');
    results.writeSection('c', 'added c');
    results.writeSection('machine', 'header');
    const text = readFileSync(path, 'utf8');
    assert.match(text, /<!-- a:start -->\nnew a\n<!-- a:end -->/);
    assert.doesNotMatch(text, /old a/);
    assert.match(text, /<!-- b:start -->\nkeep b\n<!-- b:end -->/);
    assert.ok(text.indexOf('added c') > text.indexOf('keep b'));
    assert.ok(text.indexOf('header') < text.indexOf('new a'));
    assert.equal(results.readSection('b'), 'keep b');
  } finally {
    delete process.env.CELLPIPE_BENCH_RESULTS;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('quantile interpolates and median of an even list averages the middle pair', async () => {
  const { median, quantile } = await import('./results.mjs');
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(quantile([0, 10], 0.95), 9.5);
  assert.throws(() => quantile([], 0.5), /empty/);
});
