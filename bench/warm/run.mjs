#!/usr/bin/env node
// Issue 11, side by side in one run: pipelines (steps forked from a warm pool) against the same notebook run top to
// bottom by nbclient in one kernel, kernel start included for both. Ratios: wine --no-cache ≤ 0.8 (CLI) and ≤ 0.6
// (an editor's engine that kept its pool), 20 import-heavy steps ≤ 1.0, two independent 3 s branches ≤ 0.55, the
// real-world corpus one step per cell (median) ≤ 1.2; fully cached wine re-run ≤ 200 ms; `cellpipe --help` ≤ 150 ms.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { assertSucceeded, runCellpipe, userEnvironment, whyFailed } from '../common/cli.mjs';
import { benchTempDir, cliPath } from '../common/core.mjs';
import { notebookJson, seededRandom } from '../common/notebooks.mjs';
import { formatMs, mark, median, repoRoot, section, venvPython, writeSection } from '../common/results.mjs';

const RUNS = Number(process.env.CELLPIPE_BENCH_RUNS ?? 3);
const python = process.env.CELLPIPE_BENCH_PYTHON ?? venvPython;
const withRealworld = process.env.CELLPIPE_BENCH_REALWORLD !== '0';
// The corpus takes tens of minutes: a `corpus:realworld --json` result of the same checkout may stand in for a new run.
const realworldResults = process.env.CELLPIPE_BENCH_REALWORLD_JSON;

const NBCLIENT_SCRIPT = `import sys
import nbclient
import nbformat

notebook = nbformat.read(sys.argv[1], as_version=4)
nbclient.NotebookClient(notebook, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
`;

function wallMs(command, args, options = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', env: userEnvironment(), ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0)
    throw new Error(
      `${[command, ...args].join(' ')} failed: ${whyFailed(result.stderr || result.error?.message, result.status)}`,
    );
  return ms;
}

/** Two steps of `seconds` each that do not depend on each other, then one that joins them. */
function parallelNotebook(seconds) {
  const branch = (name) => ({
    type: 'code',
    tags: [`step:${name}`],
    source: `import time\ntime.sleep(${seconds})\n${name}_value = ${seconds}`,
  });
  return notebookJson([
    branch('left'),
    branch('right'),
    { type: 'code', tags: ['step:join'], source: 'total = left_value + right_value' },
  ]);
}

const SKLEARN = [
  ['sklearn.preprocessing', 'StandardScaler', 'StandardScaler().fit_transform(frame)'],
  ['sklearn.decomposition', 'PCA', 'PCA(n_components=2).fit_transform(frame)'],
  ['sklearn.cluster', 'KMeans', 'KMeans(n_clusters=3, n_init=2, random_state=0).fit_predict(frame)'],
  ['sklearn.linear_model', 'Ridge', 'Ridge().fit(frame, frame.iloc[:, 0]).predict(frame)'],
  ['sklearn.neighbors', 'NearestNeighbors', 'NearestNeighbors(n_neighbors=3).fit(frame).kneighbors(frame)[1][:, 1]'],
];

/** `steps` steps that each import pandas and a scikit-learn module and work on a frame of an earlier step. */
function importHeavyNotebook(steps) {
  const random = seededRandom(7);
  const cells = [
    {
      type: 'code',
      tags: ['step:frame-0'],
      source:
        'import numpy as np\nimport pandas as pd\nframe_0 = pd.DataFrame(np.random.default_rng(0).normal(size=(400, 4)), columns=list("abcd"))',
    },
  ];
  for (let i = 1; i < steps; i++) {
    const [module, name, call] = SKLEARN[i % SKLEARN.length];
    const parent = Math.max(0, i - random.int(1, 3));
    cells.push({
      type: 'code',
      tags: [`step:frame-${i}`],
      source: `import pandas as pd\nfrom ${module} import ${name}\nframe = frame_${parent}\nresult = ${call}\nframe_${i} = frame.assign(a=frame["a"] + pd.Series(result.reshape(len(frame), -1)[:, 0], index=frame.index))`,
    });
  }
  return notebookJson(cells);
}

/** `cellpipe run` wall time, CLI process included; throws when the run did not succeed. */
async function pipelineMs(notebook, dir, extra = [], env = {}) {
  const result = await runCellpipe(['run', notebook, '--python', python, '--json', ...extra], { cwd: dir, env });
  assertSucceeded(result, `cellpipe run ${extra.join(' ')} of ${notebook}`);
  return result.wallMs;
}

/**
 * An editor's engine: `cellpipe serve --stdio`, as the Jupyter server extension runs it. One run warms its pool;
 * the figure is the next runs' time from the request to `run-finished`.
 */
async function editorRunsMs(notebook, runs) {
  const engine = spawn(process.execPath, [cliPath, 'serve', '--stdio'], {
    env: userEnvironment(),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: engine.stdout });
  let waiting;
  lines.on('line', (line) => {
    const message = JSON.parse(line);
    if (message.error) waiting?.reject(new Error(message.error.message));
    if (message.event?.type === 'run-finished') waiting?.resolve(message.event);
  });
  const run = (id) =>
    new Promise((resolve, reject) => {
      const start = process.hrtime.bigint();
      waiting = {
        reject,
        resolve: (finished) =>
          finished.state === 'succeeded'
            ? resolve(Number(process.hrtime.bigint() - start) / 1e6)
            : reject(new Error(`editor run ${finished.state}: ${finished.reason ?? ''}`)),
      };
      engine.stdin.write(
        `${JSON.stringify({ id, method: 'run', params: { notebookPath: notebook, python, cache: false } })}\n`,
      );
    });
  try {
    await run(0);
    const times = [];
    for (let i = 1; i <= runs; i++) times.push(await run(i));
    return times;
  } finally {
    engine.stdin.end();
  }
}

/** Runs test/realworld (one step per cell) and returns the median pipeline / top-to-bottom ratio of its equal notebooks. */
function realworldRatio(dir) {
  const out = realworldResults ?? join(dir, 'realworld.json');
  if (!realworldResults) runRealworld(out);
  const entries = JSON.parse(readFileSync(out, 'utf8'))
    .map((notebook) => notebook.groupings?.['1'])
    .filter((entry) => entry?.outcome === 'equal');
  return { ratio: median(entries.map((entry) => entry.ratio)), notebooks: entries.length, reused: realworldResults };
}

function runRealworld(out) {
  const result = spawnSync(
    process.execPath,
    [join(repoRoot, 'test', 'realworld', 'run.mjs'), '--groupings', '1', '--json', out],
    {
      cwd: repoRoot,
      env: userEnvironment(),
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (result.status !== 0) throw new Error(`test/realworld/run.mjs failed (exit ${result.status ?? result.signal})`);
}

/** A ratio row; no target (null) for a figure shown for comparison only. */
function ratioRow(label, pipeline, reference, target) {
  const ratio = pipeline / reference;
  const figure = [`${label}: ${formatMs(pipeline)} / ${formatMs(reference)}`, ratio.toFixed(2)];
  return target === null ? [...figure, '—', ''] : [...figure, `≤ ${target}`, mark(ratio <= target)];
}

/**
 * The fully cached wine re-run, `cellpipe --help` and a bare `node -e 0`, interleaved so they share the machine's
 * load. When this machine sets NODE_EXTRA_CA_CERTS (Node then parses that CA file before running any script), the
 * three are also measured without it, as on a machine without a custom CA file.
 */
async function startupFigures(wine, dir) {
  const environments = [{ label: '', env: {} }];
  if (process.env.NODE_EXTRA_CA_CERTS)
    environments.push({ label: ', without NODE_EXTRA_CA_CERTS', env: { NODE_EXTRA_CA_CERTS: undefined } });
  const rows = [];
  const count = 2 * RUNS + 1;
  for (const { label, env } of environments) {
    const cached = [];
    const help = [];
    const bare = [];
    const spawnEnv = userEnvironment(env);
    for (let i = 0; i < count; i++) {
      cached.push(await pipelineMs(wine, dir, [], env));
      help.push(wallMs(process.execPath, [cliPath, '--help'], { env: spawnEnv }));
      bare.push(wallMs(process.execPath, ['-e', '0'], { env: spawnEnv }));
    }
    rows.push(
      [
        `Fully cached re-run of examples/wine, CLI wall time${label}, median of ${count}`,
        formatMs(median(cached)),
        '≤ 200 ms',
        mark(median(cached) <= 200),
      ],
      [`\`cellpipe --help\` wall time${label}`, formatMs(median(help)), '≤ 150 ms', mark(median(help) <= 150)],
      [`Node's own start-up, \`node -e 0\`${label}`, formatMs(median(bare)), '—', ''],
    );
  }
  const notes =
    environments.length > 1
      ? [
          `This machine sets NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS}: every Node process parses that file before it runs a line of cellpipe, which the \`node -e 0\` rows show. The rows without it are what a machine without a custom CA file sees.`,
        ]
      : [];
  return { rows, notes };
}

async function main() {
  const dir = benchTempDir('warm');
  try {
    const nbclientScript = join(dir, 'run_nbclient.py');
    writeFileSync(nbclientScript, NBCLIENT_SCRIPT);
    // Notebooks that call cellpipe.log_metric import the runtime, as a user's environment with cellpipe installed would.
    const kernelEnv = userEnvironment({ PYTHONPATH: join(repoRoot, 'kernel-bridge') });
    const topToBottomMs = (notebook) =>
      median(
        Array.from({ length: RUNS }, () =>
          wallMs(python, [nbclientScript, notebook, dir], { cwd: dir, env: kernelEnv }),
        ),
      );
    const pipelinesMs = async (notebook, extra) => {
      const times = [];
      for (let i = 0; i < RUNS; i++) times.push(await pipelineMs(notebook, dir, extra));
      return median(times);
    };

    const wine = join(dir, 'wine.ipynb');
    copyFileSync(join(repoRoot, 'examples', 'wine', 'wine.ipynb'), wine);
    await pipelineMs(wine, dir, ['--no-cache']); // bytecode caches and the page cache, as on a user's second run
    const wineTopToBottom = topToBottomMs(wine);
    const wineWarm = await pipelinesMs(wine, ['--no-cache']);
    const wineCold = await pipelinesMs(wine, ['--no-cache', '--no-warm']);
    const wineEditor = median(await editorRunsMs(wine, RUNS));
    console.log(
      `wine: nbclient ${formatMs(wineTopToBottom)}, warm ${formatMs(wineWarm)}, cold ${formatMs(wineCold)}, editor ${formatMs(wineEditor)}`,
    );

    await pipelineMs(wine, dir, []); // fills the cache
    const startup = await startupFigures(wine, dir);

    const heavy = join(dir, 'import-heavy.ipynb');
    writeFileSync(heavy, JSON.stringify(importHeavyNotebook(20), null, 1));
    const heavyTopToBottom = topToBottomMs(heavy);
    const heavyWarm = await pipelinesMs(heavy, ['--no-cache']);

    const parallel = join(dir, 'parallel.ipynb');
    writeFileSync(parallel, JSON.stringify(parallelNotebook(3), null, 1));
    const parallelTopToBottom = topToBottomMs(parallel);
    const parallelWarm = await pipelinesMs(parallel, ['--no-cache']);

    let realworld = null;
    let realworldProblem = withRealworld ? null : 'skipped (CELLPIPE_BENCH_REALWORLD=0)';
    if (withRealworld)
      try {
        realworld = realworldRatio(dir);
      } catch (error) {
        realworldProblem = error.message;
      }

    const rows = [
      ratioRow('examples/wine `--no-cache`, CLI / nbclient', wineWarm, wineTopToBottom, 0.8),
      ratioRow(
        'examples/wine `--no-cache`, editor engine with a warm pool / nbclient',
        wineEditor,
        wineTopToBottom,
        0.6,
      ),
      ratioRow('examples/wine `--no-cache --no-warm` (cold steps) / nbclient', wineCold, wineTopToBottom, null),
      ratioRow('20 import-heavy steps (pandas + scikit-learn) / nbclient', heavyWarm, heavyTopToBottom, 1.0),
      ratioRow('Two independent 3 s branches / nbclient', parallelWarm, parallelTopToBottom, 0.55),
      realworld
        ? [
            `Real-world corpus, one step per cell, median over ${realworld.notebooks} equal notebooks${realworld.reused ? ` (from ${basename(realworld.reused)}, written ${statSync(realworld.reused).mtime.toISOString()})` : ''}`,
            realworld.ratio.toFixed(2),
            '≤ 1.2',
            mark(realworld.ratio <= 1.2),
          ]
        : ['Real-world corpus, one step per cell, median', realworldProblem, '≤ 1.2', mark(null)],
      ...startup.rows,
    ];
    writeSection(
      'warm',
      section({
        title: 'Pipelines against top to bottom (warm step processes)',
        description: `Each pipeline is \`cellpipe run --python .venv/bin/python --json\` (its own Node process, default \`--jobs\`), each top-to-bottom run a Python process executing the notebook with nbclient in a fresh kernel (kernel start included); medians of ${RUNS}. The editor figure is \`cellpipe serve --stdio\` (as JupyterLab runs it): time from the run request to \`run-finished\`, after a first run warmed its pool.`,
        rows,
        notes: [
          'Ratios below 1 mean the pipeline finished first. `--no-warm` is the cold start every step had before warm pools, for comparison.',
          ...startup.notes,
        ],
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`warm: ${error.message}`);
  process.exit(1);
});
