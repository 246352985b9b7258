#!/usr/bin/env node
// The run-time check's cost: the same pipelines with the check on (the default) and off (CELLPIPE_CHECK=0), side
// by side, runs interleaved so machine load hits both alike. Targets: ≤ 5 % of step time on examples/wine, ≤ 10 %
// on a step holding a 1 GiB array that a later step reads too (so the check digests it before and after the step).
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertSucceeded, runCellpipe } from '../common/cli.mjs';
import { benchTempDir } from '../common/core.mjs';
import { notebookJson } from '../common/notebooks.mjs';
import { formatMs, mark, median, repoRoot, section, venvPython, writeSection } from '../common/results.mjs';

const python = process.env.CELLPIPE_BENCH_PYTHON ?? venvPython;

const CASES = [
  {
    name: 'examples/wine (7 steps)',
    file: 'wine.ipynb',
    target: 0.05,
    runs: 5,
    prepare: (dir) => copyFileSync(join(repoRoot, 'examples', 'wine', 'wine.ipynb'), join(dir, 'wine.ipynb')),
    // Every step's time counts: the check runs in each of them.
    measuredSteps: undefined,
  },
  {
    name: '1 GiB float64 array held unchanged by a step',
    file: 'held.ipynb',
    target: 0.1,
    runs: 3,
    prepare: (dir) =>
      writeFileSync(
        join(dir, 'held.ipynb'),
        JSON.stringify(
          notebookJson([
            { type: 'code', source: 'import numpy as np' },
            { type: 'code', tags: ['step:produce'], source: 'values = np.random.default_rng(0).random(2 ** 27)' },
            { type: 'code', tags: ['step:inspect'], source: 'peak = float(values.max())\nprint(peak)' },
            { type: 'code', tags: ['step:consume'], source: 'total = float(values.sum())\nprint(total)' },
          ]),
          null,
          1,
        ),
      ),
    // `inspect` reads `values`, and `consume` reads it as `produce` left it: the check digests it in `inspect`.
    measuredSteps: ['inspect'],
  },
];

/** Sum of the final elapsed times of the measured steps, from the run's step-state events. */
function stepTimeMs(result, measuredSteps) {
  const elapsed = new Map();
  for (const event of result.events)
    if (event.type === 'step-state' && event.elapsedMs !== undefined && event.state === 'succeeded')
      elapsed.set(event.step, event.elapsedMs);
  const steps = measuredSteps ?? [...elapsed.keys()];
  return steps.reduce((sum, step) => sum + (elapsed.get(step) ?? 0), 0);
}

/** How many names the check holds in each step, from the specs of the latest run. */
function heldNames(dir) {
  const runs = readdirSync(join(dir, '.cellpipe', 'runs')).sort();
  const stepsDir = join(dir, '.cellpipe', 'runs', runs[runs.length - 1], 'steps');
  return readdirSync(stepsDir).reduce(
    (sum, step) => sum + (JSON.parse(readFileSync(join(stepsDir, step, 'spec.json'), 'utf8')).unchanged?.length ?? 0),
    0,
  );
}

async function runCase(dir, testCase) {
  testCase.prepare(dir);
  const args = ['run', join(dir, testCase.file), '--python', python, '--json', '--no-cache', '--jobs', '1'];
  const once = async (check) => {
    const result = await runCellpipe(args, { cwd: dir, env: { CELLPIPE_CHECK: check ? '1' : '0' } });
    assertSucceeded(result, `${testCase.file} with the check ${check ? 'on' : 'off'}`);
    return stepTimeMs(result, testCase.measuredSteps);
  };
  await once(true); // warm-up: bytecode caches, page cache
  const on = [];
  const off = [];
  for (let i = 0; i < testCase.runs; i++) {
    off.push(await once(false));
    on.push(await once(true));
  }
  const onMs = median(on);
  const offMs = median(off);
  return { ...testCase, onMs, offMs, cost: (onMs - offMs) / offMs, held: heldNames(dir) };
}

async function main() {
  const dir = benchTempDir('runtime-check');
  try {
    const results = [];
    for (const testCase of CASES) {
      const result = await runCase(dir, testCase);
      results.push(result);
      console.log(
        `${result.name}: check on ${formatMs(result.onMs)}, off ${formatMs(result.offMs)} (${(result.cost * 100).toFixed(1)} %)`,
      );
    }
    const rows = results.flatMap((r) => [
      [`${r.name}: step time, check off`, formatMs(r.offMs), '—', ''],
      [`${r.name}: step time, check on`, formatMs(r.onMs), '—', ''],
      [
        `${r.name}: cost of the check`,
        `${(r.cost * 100).toFixed(1)} %`,
        `≤ ${r.target * 100} %`,
        mark(r.cost <= r.target),
      ],
    ]);
    writeSection(
      'runtime-check',
      section({
        title: 'Run-time check cost',
        description:
          '`cellpipe run --no-cache --jobs 1` with the run-time check on (default) and off (`CELLPIPE_CHECK=0`), runs interleaved; step time is the sum of the measured steps’ elapsed times from their `step-state` events.',
        rows,
        notes: results.map(
          (r) =>
            `${r.name}: medians of ${r.runs} runs each after a warm-up; ${r.held} held name(s) across the pipeline's steps${r.measuredSteps ? `; measured step(s): ${r.measuredSteps.join(', ')}` : ''}.`,
        ),
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
