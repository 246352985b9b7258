/**
 * The whole loop: `cellpipe submit --watch` runs a notebook through Argo's real controller, each step for real
 * (executor stand-in), artifacts through the S3 store; it must end with the values and metrics of `cellpipe run`.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

import type { RunEvent } from '../../packages/core/src/index.js';
import type { RunRecord } from '../../packages/core/src/run/local/record.js';
import { buildCli } from '../cliHarness.js';
import { clusterRecord, finishedEvent, metricEvents, stateSequences, stdoutByStep, verifyBoth } from './compare.js';
import { cellpipe, events, kubectl, readJson, repo } from './harness.js';

beforeAll(buildCli);

const notebooks = [
  { path: 'examples/wine/wine.ipynb', folder: true },
  { path: 'examples/word-stats/word_stats.ipynb', folder: true },
  { path: 'test/corpus/27_pandas_cleaning_chain.ipynb', folder: false },
  { path: 'test/corpus/32_parameters_and_metrics.ipynb', folder: false },
  { path: 'test/corpus/35_diamond_graph.ipynb', folder: false },
  { path: 'test/corpus/38_class_hierarchy.ipynb', folder: false },
  // Carried in the output folders, not as values: the global RNG state, and files one step writes for another.
  { path: 'test/corpus/57_global_random_state.ipynb', folder: false },
  { path: 'test/corpus/64_files_between_steps.ipynb', folder: false },
];

/** Final metrics of the steps that reported any (a local run also lists the others, with none). */
function reportedMetrics(finished: { metrics: Record<string, Record<string, unknown>> }) {
  return Object.fromEntries(Object.entries(finished.metrics).filter(([, metrics]) => Object.keys(metrics).length > 0));
}

describe.each(notebooks)('$path on the test cluster', ({ path, folder }) => {
  let work: string;
  let notebook: string;
  let local: RunEvent[];
  let cluster: RunEvent[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cellpipe-loop-'));
    // A copy, so the local run's record stays out of the repository (with the data files next to the notebook).
    if (folder) cpSync(dirname(join(repo, path)), join(work, 'nb'), { recursive: true });
    else cpSync(join(repo, path), join(work, 'nb', basename(path)));
    notebook = join(work, 'nb', basename(path));
    const localRun = await cellpipe(['run', notebook, '--json'], join(work, 'nb'));
    local = events(localRun.stdout);
    // The whole result on failure: stderr says why.
    expect(localRun).toMatchObject({ code: 0 });
    // Memoized results of an earlier submission would turn steps into `cached`: this one must run them.
    await kubectl('delete', 'configmap', 'cellpipe-cache', '--ignore-not-found');
    const clusterRun = await cellpipe(['submit', notebook, '--watch', '--json'], join(work, 'nb'));
    cluster = events(clusterRun.stdout);
    expect(clusterRun).toMatchObject({ code: 0 });
  }, 1_200_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('announces the same steps and ends the same way, with the same metrics', () => {
    const [localStart, clusterStart] = [local[0], cluster[0]];
    if (localStart?.type !== 'run-started' || clusterStart?.type !== 'run-started') throw new Error('no run-started');
    expect(clusterStart.backend).toBe('argo');
    expect(clusterStart.steps).toEqual(localStart.steps);
    expect(clusterStart.parameters).toEqual(localStart.parameters);
    expect(finishedEvent(local).state).toBe('succeeded');
    expect(finishedEvent(cluster).state).toBe('succeeded');
    expect(reportedMetrics(finishedEvent(cluster))).toEqual(reportedMetrics(finishedEvent(local)));
  });

  it('emits the same RunEvent shape: step states in the same order, the same metric events and step output', () => {
    expect(stateSequences(cluster)).toEqual(stateSequences(local));
    expect(metricEvents(cluster)).toEqual(metricEvents(local));
    expect(stdoutByStep(cluster)).toEqual(stdoutByStep(local));
  });

  it('saves, in the artifact store, the values the local run saved', async () => {
    const recordPath = finishedEvent(local).recordPath ?? '';
    const localDir = dirname(recordPath);
    const clusterDir = await clusterRecord(
      finishedEvent(cluster),
      readJson<RunRecord>(recordPath),
      localDir,
      join(work, 'cluster'),
    );
    const { local: localCheck, cluster: clusterCheck } = await verifyBoth(notebook, localDir, clusterDir);
    expect(clusterCheck.differing).toEqual([]);
    expect(clusterCheck.notCompared).toEqual([]);
    expect(clusterCheck.compared).toBe(localCheck.compared);
    expect(clusterCheck.compared).toBeGreaterThan(0);
    expect(clusterCheck.uncomparable.map((finding) => finding.name)).toEqual(
      localCheck.uncomparable.map((finding) => finding.name),
    );
  });
});
