/**
 * Following cluster runs through the real API server, with Workflow status written by Argo's real controller and
 * steps run by the executor stand-in: the watch resumes after drops and re-lists after 410 Gone, metrics come from
 * the nodes' outputs, step errors from the pod log, logs survive a cut stream, cancel and retry do what they say.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { EventChannel } from '../../packages/core/src/events/channel.js';
import type { RunEvent, StepStateEvent } from '../../packages/core/src/events/runEvent.js';
import { ArgoBackend, cancelWorkflow } from '../../packages/core/src/run/argo/backend.js';
import { WorkflowFollower } from '../../packages/core/src/run/argo/follow.js';
import type { ClientNodeKube, KubeApi } from '../../packages/core/src/run/argo/kube.js';
import { PodLogFollower } from '../../packages/core/src/run/argo/logs.js';
import { retryArgoRun } from '../../packages/core/src/run/argo/operations.js';
import { WorkflowWatch } from '../../packages/core/src/run/argo/watch.js';
import { notebookFolder } from '../cliHarness.js';
import { kubectl } from './harness.js';
import { documentedUserKube } from './identities.js';

let kube: ClientNodeKube;
beforeAll(async () => {
  kube = await documentedUserKube();
});
// Memoized results of earlier runs of this file would turn steps into `cached` (the retry test relies on its own).
beforeAll(() => kubectl('delete', 'configmap', 'cellpipe-cache', '--ignore-not-found'));

function states(events: RunEvent[], step: string): string[] {
  return events.filter((e): e is StepStateEvent => e.type === 'step-state' && e.step === step).map((e) => e.state);
}

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const all: RunEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe('a run followed through a watch that the API server ends every second', () => {
  const { notebook } = notebookFolder([
    { source: 'numbers = list(range(10))\nprint("loaded", len(numbers))', tags: ['step:load'] },
    { source: 'total = sum(numbers)\nmean = total / len(numbers)\nprint("total", total)', tags: ['step:stats'] },
    { source: 'print(total)\nprint(mean)', tags: ['pipeline-metrics'] },
  ]);
  let events: RunEvent[];
  let follower: WorkflowFollower;

  beforeAll(async () => {
    const backend = new ArgoBackend({ kube });
    const run = await backend.submit({ notebookPath: notebook });
    const channel = new EventChannel<RunEvent>();
    follower = new WorkflowFollower(kube, run.runId, run.started, channel, { watch: { timeoutSeconds: 1 } });
    const [collected] = await Promise.all([collect(channel), follower.follow()]);
    events = collected;
  });

  it('resumed the watch from its last resourceVersion and still saw every state change once', () => {
    expect(follower.watch.resumes).toBeGreaterThan(0);
    expect(states(events, 'load').filter((state) => state !== 'queued')).toEqual(['running', 'succeeded']);
    expect(states(events, 'stats').at(-1)).toBe('succeeded');
    expect(new Set(states(events, 'stats')).size).toBe(states(events, 'stats').length);
  });

  it("reports metrics from the nodes' outputs, the run's end, and the steps' real output", () => {
    const metrics = events
      .filter((e) => e.type === 'step-metric')
      .map((e) => e.type === 'step-metric' && [e.name, e.value]);
    expect(metrics).toEqual([
      ['total', 45],
      ['mean', 4.5],
    ]);
    const finished = events.at(-1);
    expect(finished).toMatchObject({
      type: 'run-finished',
      state: 'succeeded',
      metrics: { stats: { total: 45, mean: 4.5 } },
    });
    const output = events
      .filter((e) => e.type === 'step-log' && e.step === 'stats')
      .map((e) => e.type === 'step-log' && e.text);
    expect(output.join('')).toContain('total 45\n');
    expect(events[0]).toMatchObject({ type: 'run-started', backend: 'argo' });
  });
});

describe('watching from a resourceVersion the API server no longer has', () => {
  it('gets 410 Gone, lists again and carries on', async () => {
    const { notebook } = notebookFolder([{ source: 'x = 1', tags: ['step:only'] }]);
    const run = await new ArgoBackend({ kube }).submit({ notebookPath: notebook });
    const seen: string[] = [];
    const watch = new WorkflowWatch(
      kube,
      run.runId,
      (workflow) => {
        seen.push(workflow.status?.phase ?? 'new');
        if (workflow.status?.phase === 'Succeeded') watch.stop();
      },
      { resourceVersion: '1', timeoutSeconds: 30 },
    );
    await watch.run();
    expect(watch.relists).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe('Succeeded');
  });
});

describe('a failing step, then retry', () => {
  // Outside /tmp and /cellpipe, which the executor stand-in gives each pod privately: the step sees the host's file.
  const marker = join(homedir(), '.cache', `cellpipe-retry-marker-${process.pid}`);
  const { notebook } = notebookFolder([
    { source: 'base = [1, 2, 3]', tags: ['step:load'] },
    {
      source: `import os\nif os.path.exists(${JSON.stringify(marker)}):\n    raise ValueError("marker present")\ndoubled = [2 * b for b in base]`,
      tags: ['step:flaky'],
    },
    { source: 'result = sum(doubled)\nprint("result", result)', tags: ['step:report'] },
  ]);
  let failedRun: string;
  let failed: RunEvent[];

  beforeAll(async () => {
    writeFileSync(marker, 'fail');
    const handle = new ArgoBackend({ kube }).start({ notebookPath: notebook });
    failedRun = handle.runId;
    failed = await collect(handle.events);
  });
  afterAll(() => rmSync(marker, { force: true }));

  it('maps the traceback to the cell from the pod log, fails the step and skips its dependents', () => {
    const error = failed.find((e) => e.type === 'step-error');
    expect(error).toMatchObject({
      step: 'flaky',
      errorType: 'ValueError',
      message: 'marker present',
      cellIndex: 1,
      line: 3,
    });
    expect(error?.type === 'step-error' && error.traceback).toContain('raise ValueError("marker present")');
    expect(states(failed, 'load').at(-1)).toBe('succeeded');
    expect(failed.find((e) => e.type === 'step-state' && e.step === 'flaky' && e.state === 'failed')).toMatchObject({
      reason: 'ValueError: marker present (cell 1, line 3)',
    });
    expect(states(failed, 'report').at(-1)).toBe('skipped');
    expect(failed.at(-1)).toMatchObject({ type: 'run-finished', state: 'failed' });
    expect(failed.some((e) => e.type === 'step-log' && e.text.startsWith('cellpipe-step-error'))).toBe(false);
  });

  it('retry re-runs only the failed step and its dependents; the finished step is reused', async () => {
    rmSync(marker, { force: true });
    const retried = await retryArgoRun(kube, failedRun);
    expect(retried).not.toBe(failedRun);
    const handle = await new ArgoBackend({ kube }).attach(retried);
    const events = await collect(handle.events);
    expect(states(events, 'load').at(-1)).toBe('cached');
    expect(states(events, 'flaky').at(-1)).toBe('succeeded');
    expect(states(events, 'report').at(-1)).toBe('succeeded');
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', state: 'succeeded' });
    const pods = (await kubectl('get', 'pods', '-l', `workflows.argoproj.io/workflow=${retried}`, '-o', 'name')).trim();
    expect(pods).not.toMatch(/-load-/);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('cancel and log following', () => {
  it('follows a step log across a cut stream without losing or repeating lines, then cancels the run', async () => {
    const { notebook } = notebookFolder([
      {
        source:
          'import time\nfor i in range(8):\n    print("tick", i, flush=True)\n    time.sleep(0.7)\ntime.sleep(600)',
        tags: ['step:slow'],
      },
      { source: 'print("never")', tags: ['step:after', 'prev:slow'] },
    ]);
    const handle = new ArgoBackend({ kube }).start({ notebookPath: notebook });
    const events: RunEvent[] = [];
    let cutReader: Promise<string[]> | undefined;
    for await (const event of handle.events) {
      events.push(event);
      if (event.type !== 'step-log') continue;
      // A second reader, through a connection the network cuts after its first lines.
      if (event.text.startsWith('tick 1')) cutReader ??= followWithCut(kube, handle.runId);
      if (event.text.startsWith('tick 7')) await cancelWorkflow(kube, handle.runId);
    }
    const cutLines = await cutReader;
    expect(cutLines?.filter((line) => line.startsWith('tick'))).toEqual([...Array(8).keys()].map((i) => `tick ${i}`));
    const finished = await handle.done;
    expect(finished.state).toBe('cancelled');
    expect(states(events, 'slow').at(-1)).toBe('cancelled');
    expect(states(events, 'after').at(-1)).toBe('cancelled');
    const tickLines = events
      .filter((e) => e.type === 'step-log' && e.step === 'slow')
      .map((e) => e.type === 'step-log' && e.text.trim());
    expect(tickLines.filter((line) => String(line).startsWith('tick'))).toEqual(
      [...Array(8).keys()].map((i) => `tick ${i}`),
    );
  });
});

/** Reads the `slow` step's log through a KubeApi whose first stream is cut after two lines; resolves with what arrived. */
async function followWithCut(kube: KubeApi, runId: string): Promise<string[]> {
  const pods = await kube.workflowPods(runId);
  const pod = [...pods.values()].find((name) => name.includes('-slow-')) as string;
  let cuts = 0;
  const cutting: KubeApi = Object.create(kube) as KubeApi;
  cutting.podLog = async (name, options, onLine) => {
    let lines = 0;
    // The data callback runs on a later I/O turn, after `opened` is assigned.
    const opened = await kube.podLog(name, options, (line) => {
      onLine(line);
      if (++lines === 2 && cuts++ === 0) opened.abort();
    });
    return opened;
  };
  const lines: string[] = [];
  let done = false;
  const follower = new PodLogFollower(cutting, pod, {
    finished: () => done,
    onLine: (text) => lines.push(text),
    onProblem: () => undefined,
  });
  const following = follower.run();
  while (lines.filter((line) => line.startsWith('tick')).length < 8)
    await new Promise((resolve) => setTimeout(resolve, 200));
  done = true;
  follower.stop();
  await following;
  expect(follower.resumes).toBeGreaterThan(0);
  expect(lines.filter((line) => line.startsWith('tick'))).toEqual([...Array(8).keys()].map((i) => `tick ${i}`));
  return lines;
}
