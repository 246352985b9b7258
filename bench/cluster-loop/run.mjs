#!/usr/bin/env node
// examples/wine/wine.ipynb on the test cluster (test/cluster/: real kube-apiserver, Argo's workflow-controller, kwok
// pods, the executor stand-in running each step for real, artifacts through the S3 store) beside a local run:
// submit -> first step running, per-step overhead, total. Starts the stack (build cached) unless it is up, and
// stops only what it started. Argo's memoization cache is emptied before each submission, so every step runs.
import { spawnSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureStack, kubectlPath, adminKubeconfig, stopStack, userKubeconfig } from '../../test/cluster/stack.mjs';
import { assertSucceeded, runCellpipe } from '../common/cli.mjs';
import { benchTempDir } from '../common/core.mjs';
import { formatMs, median, repoRoot, section, venvPython, writeSection } from '../common/results.mjs';

const RUNS = 3;
const python = process.env.CELLPIPE_BENCH_PYTHON ?? venvPython;

/** Milliseconds from the process start to the first event matching `test`, from the events' own times. */
function firstEventMs(result, test) {
  const event = result.events.find(test);
  return event ? Date.parse(event.time) - result.startedAt : NaN;
}

/** Each step's time from `running` to its end, as its events report it. */
function stepMs(result) {
  const ran = {};
  for (const event of result.events)
    if (event.type === 'step-state' && event.elapsedMs !== undefined && event.state !== 'running')
      ran[event.step] = event.elapsedMs;
  return ran;
}

/** Steps on the longest chain of `after` edges, plus the cluster's bundle-unpacking task in front of it. */
function criticalPathSteps(result) {
  const steps = result.events.find((event) => event.type === 'run-started')?.steps ?? [];
  const depth = new Map();
  for (const step of steps) depth.set(step.name, 1 + Math.max(0, ...step.after.map((name) => depth.get(name) ?? 0)));
  return Math.max(...depth.values()) + 1;
}

async function timedRun(args, cwd, env) {
  const startedAt = Date.now();
  const result = await runCellpipe(args, { cwd, env });
  return { ...result, startedAt };
}

async function main() {
  const dir = benchTempDir('cluster-loop');
  const started = ensureStack((line) => console.log(`cluster-loop: ${line}`));
  try {
    const notebook = join(dir, 'wine.ipynb');
    copyFileSync(join(repoRoot, 'examples', 'wine', 'wine.ipynb'), notebook);
    const local = [];
    const cluster = [];
    for (let round = 0; round < RUNS; round++) {
      const localRun = await timedRun(['run', notebook, '--no-cache', '--python', python, '--json'], dir);
      assertSucceeded(localRun, 'local run of wine.ipynb');
      local.push(localRun);
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
      const clusterRun = await timedRun(['submit', notebook, '--watch', '--json'], dir, { KUBECONFIG: userKubeconfig });
      assertSucceeded(clusterRun, 'cluster run of wine.ipynb');
      cluster.push(clusterRun);
      console.log(`round ${round + 1}: local ${formatMs(localRun.wallMs)}, cluster ${formatMs(clusterRun.wallMs)}`);
    }
    const running = (event) => event.type === 'step-state' && event.state === 'running';
    const firstRunning = median(cluster.map((run) => firstEventMs(run, running)));
    const stepOverheads = cluster.flatMap((run, round) => {
      const localSteps = stepMs(local[round]);
      return Object.entries(stepMs(run)).map(([step, ms]) => ms - (localSteps[step] ?? 0));
    });
    const chain = criticalPathSteps(cluster[0]);
    const totalLocal = median(local.map((run) => run.wallMs));
    const totalCluster = median(cluster.map((run) => run.wallMs));
    writeSection(
      'cluster-loop',
      section({
        title: 'wine on the test cluster',
        description: `\`cellpipe submit --watch --json\` of a copy of examples/wine/wine.ipynb on the test cluster of test/cluster/ (kube-apiserver, Argo's workflow-controller v3.7.12 with a 1 s requeue, kwok pods, the executor stand-in running each step for real, artifacts through the S3 store), memoization cache emptied before each submission, beside \`cellpipe run --no-cache\` of the same copy; medians of ${RUNS} rounds.`,
        rows: [
          ['submit → first step running', formatMs(firstRunning), '—', ''],
          [
            'Per-step overhead: a step’s running → finished on the cluster minus locally (median over steps)',
            formatMs(median(stepOverheads)),
            '—',
            '',
          ],
          [
            `Total overhead per step on the longest chain (${chain} steps incl. the bundle task)`,
            formatMs((totalCluster - totalLocal) / chain),
            '—',
            '',
          ],
          ['Total on the cluster (CLI process)', formatMs(totalCluster), '—', ''],
          ['Total locally (`cellpipe run --no-cache`, CLI process)', formatMs(totalLocal), '—', ''],
        ],
        notes: [
          'A step on the cluster pays: the controller noticing the previous node (requeue 1 s), pod creation and scheduling, kwok moving the pod to Running (4 stages of 200-400 ms), the stand-in downloading and unpacking the bundle and input artifacts from S3, Python start-up without a warm pool, archiving and uploading outputs, the WorkflowTaskResult, and the watch reaching the CLI.',
        ],
      }),
    );
  } finally {
    if (started) stopStack((line) => console.log(`cluster-loop: ${line}`));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main().catch((error) => {
  console.error(`cluster-loop benchmark: ${error.message}`);
  process.exitCode = 1;
});
