/**
 * Failure, cancel, retry and memoization on the test cluster, through the CLI as a user would: the Workflow's
 * nodes and pods are read back (as the admin) to show what Argo's controller really did.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildNotebook, notebookToJson, type RunEvent } from '../../packages/core/src/index.js';
import { buildCli, notebookFolder } from '../cliHarness.js';
import { finishedEvent } from './compare.js';
import { cellpipe, events, kubectl, podNodes, podsOf, startCellpipe, workflow } from './harness.js';

beforeAll(async () => {
  buildCli();
  // Memoized results of earlier submissions would turn steps into `cached`: these tests decide what is cached.
  await kubectl('delete', 'configmap', 'cellpipe-cache', '--ignore-not-found');
});

function finalStates(stream: RunEvent[]): Record<string, string> {
  const states: Record<string, string> = {};
  for (const event of stream) if (event.type === 'step-state') states[event.step] = event.state;
  return states;
}

function cellIds(notebook: string): string[] {
  return (JSON.parse(readFileSync(notebook, 'utf8')) as { cells: { id: string }[] }).cells.map((cell) => cell.id);
}

/** A step that fails on its first run only: the marker file lives outside the pod's private /cellpipe and /tmp. */
function flakyNotebook(marker: string) {
  return notebookFolder([
    { source: 'rows = [3, 1, 2]', tags: ['step:load'] },
    {
      source: `import os\nif not os.path.exists(${JSON.stringify(marker)}):\n    open(${JSON.stringify(marker)}, "w").close()\n    raise ValueError("first attempt fails")\ntotal = sum(rows)`,
      tags: ['step:flaky'],
    },
    { source: 'doubled = total * 2', tags: ['step:after'] },
    { source: 'smallest = min(rows)', tags: ['step:independent'] },
  ]);
}

describe('a failing step on the cluster', () => {
  let markers: string;
  let dir: string;
  let notebook: string;
  let failed: RunEvent[];
  let failedCode: number | null;

  beforeAll(async () => {
    markers = mkdtempSync('/var/tmp/cellpipe-cluster-');
    ({ dir, notebook } = flakyNotebook(join(markers, 'flaky-ran')));
    const run = await cellpipe(['submit', notebook, '--watch', '--json'], dir);
    failed = events(run.stdout);
    failedCode = run.code;
  }, 1_200_000);
  afterAll(() => {
    rmSync(markers, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails its node, maps the traceback to the cell, runs no dependent and finishes the independent branch', async () => {
    expect(failedCode).toBe(1);
    expect(finishedEvent(failed).state).toBe('failed');
    const error = failed.find((event) => event.type === 'step-error');
    expect(error).toMatchObject({
      step: 'flaky',
      cellId: cellIds(notebook)[1],
      line: 4,
      errorType: 'ValueError',
      message: 'first attempt fails',
    });
    expect(finalStates(failed)).toMatchObject({
      load: 'succeeded',
      flaky: 'failed',
      after: 'skipped',
      independent: 'succeeded',
    });
    const runId = finishedEvent(failed).runId;
    const nodes = podNodes(await workflow(runId));
    expect(nodes.get('flaky')).toMatchObject({ phase: 'Failed', outputs: { exitCode: '1' } });
    expect(nodes.get('independent')?.phase).toBe('Succeeded');
    expect((await podsOf(runId)).filter((pod) => pod.includes('-after-'))).toEqual([]);
  });

  it('is re-run by `cellpipe retry` with the steps after it; the steps that succeeded are served from the cache', async () => {
    const runId = finishedEvent(failed).runId;
    const retry = await cellpipe(['retry', runId, '--watch', '--json'], dir);
    const retried = events(retry.stdout);
    expect(retry).toMatchObject({ code: 0 });
    expect(finalStates(retried)).toEqual({
      load: 'cached',
      flaky: 'succeeded',
      after: 'succeeded',
      independent: 'cached',
    });
    const retryId = finishedEvent(retried).runId;
    expect(retryId).not.toBe(runId);
    const stepPods = (await podsOf(retryId)).map((pod) => pod.replace(`${retryId}-`, '').replace(/-\d+$/, ''));
    expect(stepPods.sort()).toEqual(['after', 'cellpipe-bundle', 'flaky']);
  });
});

describe('an unchanged notebook submitted again', () => {
  it('reports every step cached and runs no pod for them', async () => {
    const { dir, notebook } = notebookFolder([
      { source: 'words = ["a", "b", "a"]', tags: ['step:load'] },
      { source: 'counts = {w: words.count(w) for w in words}', tags: ['step:count'] },
    ]);
    try {
      const first = await cellpipe(['submit', notebook, '--watch', '--json'], dir);
      expect(first).toMatchObject({ code: 0 });
      const second = await cellpipe(['submit', notebook, '--watch', '--json'], dir);
      expect(second).toMatchObject({ code: 0 });
      const stream = events(second.stdout);
      expect(finalStates(stream)).toEqual({ load: 'cached', count: 'cached' });
      const runId = finishedEvent(stream).runId;
      expect(
        Object.values((await workflow(runId)).status?.nodes ?? {}).filter((node) => node.memoizationStatus?.hit),
      ).toHaveLength(2);
      expect((await podsOf(runId)).filter((pod) => !pod.includes('-cellpipe-bundle-'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cellpipe cancel', () => {
  it('stops a running Workflow: the step ends cancelled and nothing after it starts', async () => {
    const { dir, notebook } = notebookFolder([
      { source: 'import time\ntime.sleep(300)\nslept = True', tags: ['step:sleep'] },
      { source: 'after = slept', tags: ['step:after'] },
    ]);
    try {
      const watch = startCellpipe(['submit', notebook, '--watch', '--json'], dir);
      let stdout = '';
      const running = new Promise<string>((resolve) => {
        watch.stdout?.setEncoding('utf8').on('data', (text: string) => {
          stdout += text;
          const started = events(stdout).find((event) => event.type === 'step-state' && event.state === 'running');
          if (started) resolve(started.runId);
        });
      });
      const exited = new Promise<number | null>((resolve) => watch.on('close', resolve));
      const runId = await running;
      const cancel = await cellpipe(['cancel', runId], dir);
      expect(cancel).toMatchObject({ code: 0, stdout: `cancelled ${runId}\n` });
      expect(await exited).toBe(130);
      const stream = events(stdout);
      expect(finishedEvent(stream).state).toBe('cancelled');
      expect(finalStates(stream).after).not.toBe('succeeded');
      const wf = await workflow(runId);
      expect(wf.status?.phase).toBe('Failed');
      expect(podNodes(wf).get('sleep')?.message).toMatch(/shutdown/);
      expect((await podsOf(runId)).filter((pod) => pod.includes('-after-'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a data file read by relative path', () => {
  it('outside the notebook folder stops the run before anything is submitted, in one line naming the file', async () => {
    const base = mkdtempSync(join(tmpdir(), 'cellpipe-outside-'));
    try {
      mkdirSync(join(base, 'nb'));
      writeFileSync(join(base, 'outside.txt'), 'hello');
      const notebook = join(base, 'nb', 'nb.ipynb');
      writeFileSync(
        notebook,
        notebookToJson(buildNotebook([{ source: 'text = open("../outside.txt").read()', tags: ['step:read'] }])),
      );
      const before = await kubectl('get', 'workflows', '-o', 'name');
      const run = await cellpipe(['submit', notebook, '--watch', '--json'], join(base, 'nb'));
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/'\.\.\/outside\.txt'.*outside the notebook's folder/),
      ]);
      expect(await kubectl('get', 'workflows', '-o', 'name')).toBe(before);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
