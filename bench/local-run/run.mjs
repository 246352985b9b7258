#!/usr/bin/env node
// Local-run overhead: `cellpipe run --no-cache --jobs 1` of N small pure-Python steps, against N × Python's own
// start-up (`python -c pass`), and against running the same notebook top to bottom with nbclient and papermill.
// Target: (cellpipe wall time − N × Python start-up) / N ≤ 100 ms.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertSucceeded, runCellpipe, stepDurations, userEnvironment, whyFailed } from '../common/cli.mjs';
import { benchTempDir, cliPath } from '../common/core.mjs';
import { purePythonNotebook } from '../common/notebooks.mjs';
import { benchDir, formatMs, mark, median, repoRoot, section, venvPython, writeSection } from '../common/results.mjs';

const STEPS = Number(process.env.CELLPIPE_BENCH_STEPS ?? 20);
const RUNS = 3;
const TARGET_OVERHEAD_MS = 100;
const python = process.env.CELLPIPE_BENCH_PYTHON ?? venvPython;

/** Wall time of one process, in ms; throws when it fails. */
function timeProcess(command, args, options = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', env: userEnvironment(), ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0)
    throw new Error(
      `${[command, ...args].join(' ')} failed: ${whyFailed(result.stderr || result.error?.message, result.status)}`,
    );
  return ms;
}

function medianOf(count, fn) {
  return median(Array.from({ length: count }, fn));
}

function ensurePapermill() {
  if (spawnSync(python, ['-c', 'import papermill'], { stdio: 'ignore' }).status === 0) return null;
  console.log('installing papermill into the venv (bench/requirements.txt)');
  const install = spawnSync(
    'flock',
    [
      '/tmp/cellpipe-pip.lock',
      python,
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '-r',
      join(benchDir, 'requirements.txt'),
    ],
    { stdio: 'inherit' },
  );
  return install.status === 0 ? null : `pip install papermill failed (exit ${install.status})`;
}

const NBCLIENT_SCRIPT = `import sys
import nbclient
import nbformat

notebook = nbformat.read(sys.argv[1], as_version=4)
nbclient.NotebookClient(notebook, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
`;

async function main() {
  const dir = benchTempDir('local-run');
  try {
    const notebookPath = join(dir, `steps-${STEPS}.ipynb`);
    writeFileSync(notebookPath, JSON.stringify(purePythonNotebook({ steps: STEPS, seed: 11 }), null, 1));
    const nbclientScript = join(dir, 'run_nbclient.py');
    writeFileSync(nbclientScript, NBCLIENT_SCRIPT);

    // Python's own start-up, and the step runtime's import on top of it (a diagnostic, not a target).
    for (let i = 0; i < 3; i++) timeProcess(python, ['-c', 'pass']);
    const pythonStartMs = medianOf(2 * STEPS, () => timeProcess(python, ['-c', 'pass']));
    const runtimeEnv = userEnvironment({ PYTHONPATH: join(repoRoot, 'kernel-bridge') });
    let runtimeImportMs = null;
    try {
      runtimeImportMs = medianOf(10, () => timeProcess(python, ['-c', 'import cellpipe.runtime'], { env: runtimeEnv }));
    } catch (error) {
      console.log(`runtime import not measured: ${error.message}`);
    }

    const cellpipeArgs = ['run', notebookPath, '--python', python, '--json', '--no-cache', '--jobs', '1'];
    assertSucceeded(await runCellpipe(cellpipeArgs, { cwd: dir }), 'warm-up cellpipe run');
    const cellpipeRuns = [];
    for (let i = 0; i < RUNS; i++) {
      const result = await runCellpipe(cellpipeArgs, { cwd: dir });
      const finished = assertSucceeded(result, 'cellpipe run');
      const durations = Object.values(stepDurations(result.events));
      if (durations.length !== STEPS)
        throw new Error(`cellpipe ran ${durations.length} steps, the notebook has ${STEPS}`);
      cellpipeRuns.push({
        wallMs: result.wallMs,
        engineMs: finished.elapsedMs,
        inStepsMs: durations.reduce((a, b) => a + b, 0),
        // Timed right after each run, so both see the same machine load.
        cliStartMs: timeProcess(process.execPath, [cliPath, '--help']),
      });
    }
    const cellpipe = {
      wallMs: median(cellpipeRuns.map((r) => r.wallMs)),
      engineMs: median(cellpipeRuns.map((r) => r.engineMs)),
      inStepsMs: median(cellpipeRuns.map((r) => r.inStepsMs)),
      cliStartMs: median(cellpipeRuns.map((r) => r.cliStartMs)),
    };
    const overheadPerStepMs = (cellpipe.wallMs - STEPS * pythonStartMs) / STEPS;
    console.log(
      `python -c pass: ${formatMs(pythonStartMs)}; cellpipe: ${formatMs(cellpipe.wallMs)} → ${formatMs(overheadPerStepMs)} per step beyond Python start-up`,
    );

    const noBytecode = await runCellpipe(cellpipeArgs, { cwd: dir, env: { PYTHONDONTWRITEBYTECODE: '1' } });
    assertSucceeded(noBytecode, 'cellpipe run with PYTHONDONTWRITEBYTECODE=1');
    const noBytecodeOverheadMs = (noBytecode.wallMs - STEPS * pythonStartMs) / STEPS;

    const parallelArgs = cellpipeArgs.filter((arg, i) => arg !== '--jobs' && cellpipeArgs[i - 1] !== '--jobs');
    const parallel = await runCellpipe(parallelArgs, { cwd: dir });
    assertSucceeded(parallel, 'cellpipe run with the default --jobs');

    const nbclientMs = medianOf(RUNS, () => timeProcess(python, [nbclientScript, notebookPath, dir], { cwd: dir }));
    console.log(`nbclient: ${formatMs(nbclientMs)}`);
    const papermillProblem = ensurePapermill();
    let papermillMs = null;
    if (!papermillProblem) {
      papermillMs = medianOf(RUNS, () =>
        timeProcess(
          python,
          ['-m', 'papermill', '--log-level', 'WARNING', notebookPath, join(dir, 'papermill-out.ipynb')],
          { cwd: dir },
        ),
      );
      console.log(`papermill: ${formatMs(papermillMs)}`);
    }

    const perStepInside = cellpipe.inStepsMs / STEPS;
    const rows = [
      [
        'Overhead per step beyond Python start-up (`--jobs 1`)',
        formatMs(overheadPerStepMs),
        `≤ ${TARGET_OVERHEAD_MS} ms`,
        mark(overheadPerStepMs <= TARGET_OVERHEAD_MS),
      ],
      [
        `cellpipe run --no-cache --jobs 1, wall time (${STEPS} steps, CLI process included)`,
        formatMs(cellpipe.wallMs),
        '—',
        '',
      ],
      [
        'Overhead per step with PYTHONDONTWRITEBYTECODE=1 (as this sandbox sets it: no bytecode cache), one run',
        formatMs(noBytecodeOverheadMs),
        '—',
        '',
      ],
      ['cellpipe run --no-cache, default `--jobs` (CPU count), wall time, one run', formatMs(parallel.wallMs), '—', ''],
      [
        `Python start-up × ${STEPS} (\`python -c pass\`, median ${formatMs(pythonStartMs)})`,
        formatMs(STEPS * pythonStartMs),
        '—',
        '',
      ],
      ['nbclient, top to bottom (one kernel), wall time', formatMs(nbclientMs), '—', ''],
      [
        'papermill, top to bottom (one kernel), wall time',
        papermillMs === null ? `not measured: ${papermillProblem}` : formatMs(papermillMs),
        '—',
        '',
      ],
    ];
    const notes = [
      `Median of ${RUNS} runs after one warm-up run; the notebook (bench/common/notebooks.mjs \`purePythonNotebook\`) has ${STEPS} steps, each a list computation of about a millisecond on 2,000 floats, mostly chained. Python runs without this sandbox's PYTHONDONTWRITEBYTECODE=1 (a user's shell does not set it), so the runtime's bytecode is cached from the warm-up run on; the row above shows the cost when it is set.`,
      `Where the time goes (medians): CLI process start-up (\`cellpipe --help\`) ${formatMs(cellpipe.cliStartMs)}; engine time from run start to finish ${formatMs(cellpipe.engineMs)}; time inside step processes ${formatMs(cellpipe.inStepsMs)} (${formatMs(perStepInside)} per step, of which Python start-up ${formatMs(pythonStartMs)}${runtimeImportMs === null ? '' : ` and \`import cellpipe.runtime\` ${formatMs(Math.max(0, runtimeImportMs - pythonStartMs))} beyond it`}); between steps (scheduling, spec write, cache bookkeeping, events) ${formatMs((cellpipe.engineMs - cellpipe.inStepsMs) / STEPS)} per step; outside the engine (CLI start-up, reading and analysing the notebook, exit) ${formatMs(cellpipe.wallMs - cellpipe.engineMs)}.`,
    ];
    writeSection(
      'local-run',
      section({
        title: 'Local-run overhead',
        description:
          'The `cellpipe` CLI as a user runs it (`node packages/cli/bin/cellpipe.js run NB --python .venv/bin/python --json --no-cache --jobs 1`), one Python process per step, against Python start-up and against executing the same notebook in one Jupyter kernel.',
        rows,
        notes,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main().catch((error) => {
  console.error(`local-run benchmark: ${error.message}`);
  process.exitCode = 1;
});
