#!/usr/bin/env node
// The Argo backend: the size of what `cellpipe submit` sends (Workflow and its bundle ConfigMap) for notebooks of
// 50, 500 and 2000 steps, beside `cellpipe compile --target argo`'s self-contained file; and, on the test cluster of
// test/cluster/ (started unless it is up, stopped only if started here), the time from `cellpipe submit --watch` to
// the first step event. Memoization is emptied before each submission, so every step runs.
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminKubeconfig, ensureStack, kubectlPath, stopStack, userKubeconfig } from '../../test/cluster/stack.mjs';
import { assertSucceeded, runCellpipe } from '../common/cli.mjs';
import { benchTempDir, loadCore } from '../common/core.mjs';
import { formatBytes, formatMs, median, repoRoot, section, writeSection } from '../common/results.mjs';

const SIZES = [50, 500, 2000];
const ROUNDS = 3;

/** A chain of `steps` steps, two cells each, every step reading its predecessor's value: a realistic small cell. */
function chainNotebook(steps) {
  const cells = [];
  for (let index = 0; index < steps; index++) {
    const previous = index === 0 ? '0' : `value_${index - 1}`;
    cells.push(
      cell(`value_${index} = ${previous} + ${index}\nlabel_${index} = f"step {${index}}"`, [`step:s${index}`]),
    );
    cells.push(cell(`print(label_${index}, value_${index})`, [`step:s${index}`]));
  }
  return { nbformat: 4, nbformat_minor: 5, metadata: { language_info: { name: 'python' } }, cells };
}

function cell(source, tags) {
  return {
    cell_type: 'code',
    id: `c${Math.random().toString(36).slice(2, 10)}`,
    metadata: { tags },
    source,
    outputs: [],
    execution_count: null,
  };
}

function sizes(core, dir) {
  const rows = [];
  for (const steps of SIZES) {
    const notebookPath = join(dir, `chain-${steps}.ipynb`);
    writeFileSync(notebookPath, JSON.stringify(chainNotebook(steps)));
    const submission = core.prepareSubmission({ notebookPath });
    const workflowBytes = Buffer.byteLength(JSON.stringify(submission.workflow));
    const configMapBytes = Buffer.byteLength(JSON.stringify(submission.configMap));
    const compiled = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'packages', 'cli', 'bin', 'cellpipe.js'),
        'compile',
        notebookPath,
        '--target',
        'argo',
        '-o',
        join(dir, `chain-${steps}.yaml`),
      ],
      { encoding: 'utf8' },
    );
    const compiledBytes = compiled.status === 0 ? readFileSync(join(dir, `chain-${steps}.yaml`)).length : NaN;
    console.log(
      `${steps} steps: Workflow ${workflowBytes} B, ConfigMap ${configMapBytes} B, compiled file ${compiledBytes} B`,
    );
    rows.push([
      `${steps} steps: submitted Workflow (JSON) / its bundle ConfigMap / \`compile\` file (inline bundle, YAML)`,
      `${formatBytes(workflowBytes)} / ${formatBytes(configMapBytes)} / ${Number.isNaN(compiledBytes) ? 'failed' : formatBytes(compiledBytes)}`,
      '—',
      '',
    ]);
  }
  return rows;
}

async function firstStepEvent(dir) {
  const started = ensureStack((line) => console.log(`cluster: ${line}`));
  try {
    cpSync(join(repoRoot, 'examples', 'word-stats'), join(dir, 'word-stats'), { recursive: true });
    const notebook = join(dir, 'word-stats', 'word_stats.ipynb');
    const first = [];
    const running = [];
    for (let round = 0; round < ROUNDS; round++) {
      spawnSync(kubectlPath, [
        '--kubeconfig',
        adminKubeconfig,
        '-n',
        'argo',
        'delete',
        'configmap',
        'cellpipe-cache',
        '--ignore-not-found',
      ]);
      const startedAt = Date.now();
      const run = await runCellpipe(['submit', notebook, '--watch', '--json'], {
        cwd: join(dir, 'word-stats'),
        env: { KUBECONFIG: userKubeconfig },
      });
      assertSucceeded(run, 'cellpipe submit --watch of word_stats.ipynb');
      const since = (test) => Date.parse(run.events.find(test)?.time ?? '') - startedAt;
      first.push(since((event) => event.type === 'step-state'));
      running.push(since((event) => event.type === 'step-state' && event.state === 'running'));
      console.log(
        `round ${round + 1}: first step event ${formatMs(first.at(-1))}, first running ${formatMs(running.at(-1))}`,
      );
    }
    return [
      ['`cellpipe submit --watch` → first step event (word-stats, median)', formatMs(median(first)), '—', ''],
      ['`cellpipe submit --watch` → first step running (median)', formatMs(median(running)), '—', ''],
    ];
  } finally {
    if (started) stopStack((line) => console.log(`cluster: ${line}`));
  }
}

async function main() {
  const core = await loadCore(['prepareSubmission']);
  const dir = benchTempDir('cluster');
  try {
    const rows = [...sizes(core, dir), ...(await firstStepEvent(dir))];
    writeSection(
      'cluster',
      section({
        title: 'Argo backend: submission size and submit → first step event',
        description: `Chain notebooks of ${SIZES.join('/')} steps (two small cells each) prepared as \`cellpipe submit\` sends them, beside \`cellpipe compile --target argo\`; then ${ROUNDS} rounds of \`cellpipe submit --watch --json\` of a copy of examples/word-stats on the test cluster of test/cluster/ (real kube-apiserver, Argo's workflow-controller, kwok pods, the executor stand-in), memoization emptied before each.`,
        rows,
        notes: [
          'The step code travels in a ConfigMap owned by the Workflow, so the Workflow grows only with the DAG (one task and one small template per step); the ConfigMap holds the compressed bundle.',
        ],
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main().catch((error) => {
  console.error(`cluster benchmark: ${error.message}`);
  process.exitCode = 1;
});
