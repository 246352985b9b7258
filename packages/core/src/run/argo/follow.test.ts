import { STEP_ERROR_MARKER } from '../../compile/argo/bundle.js';
import { EventChannel } from '../../events/channel.js';
import type { RunEvent } from '../../events/runEvent.js';
import { WorkflowFollower } from './follow.js';
import type { KubeApi, LogConnection, WatchConnection, WatchEventType } from './kube.js';
import { PodLogFollower } from './logs.js';
import type { ArgoNode, ArgoWorkflow } from './nodes.js';

/** An in-memory API: the test pushes Workflow versions; logs are fixed per pod, with timestamps. */
class ScriptedKube implements Partial<KubeApi> {
  readonly namespace = 'argo';
  readonly server = 'https://example';
  private listener?: (type: WatchEventType, object: unknown) => void;
  private closeWatch?: (error: Error | null) => void;
  version = 1;
  current: ArgoWorkflow;
  logs = new Map<string, string[]>();

  constructor(name: string) {
    this.current = { metadata: { name, resourceVersion: '1' }, spec: {}, status: { phase: 'Running', nodes: {} } };
  }

  push(nodes: ArgoNode[], phase = 'Running'): void {
    this.version++;
    this.current = {
      ...this.current,
      metadata: { ...this.current.metadata, resourceVersion: String(this.version) },
      status: { phase, nodes: Object.fromEntries(nodes.map((node) => [node.id, node])) },
    };
    this.listener?.('MODIFIED', this.current);
  }

  /** Ends the current watch connection the way a network drop does. */
  drop(): void {
    this.closeWatch?.(null);
  }

  async listWorkflow(): Promise<{ items: ArgoWorkflow[]; resourceVersion: string }> {
    return { items: [this.current], resourceVersion: String(this.version) };
  }

  async watchWorkflow(
    _name: string,
    _resourceVersion: string,
    _timeout: number,
    onEvent: (type: WatchEventType, object: unknown) => void,
  ): Promise<WatchConnection> {
    this.listener = onEvent;
    const closed = new Promise<Error | null>((resolve) => (this.closeWatch = resolve));
    return { abort: () => this.closeWatch?.(null), closed };
  }

  async workflowPods(): Promise<Map<string, string>> {
    return new Map([...this.logs.keys()].map((pod) => [pod.replace('pod-', 'node-'), pod]));
  }

  async podLog(pod: string, options: { sinceTime?: string }, onLine: (line: string) => void): Promise<LogConnection> {
    for (const line of this.logs.get(pod) ?? [])
      if (!options.sinceTime || line.slice(0, 20) >= options.sinceTime) onLine(line);
    return { abort: () => undefined, closed: Promise.resolve(null) };
  }
}

const started = {
  notebook: '/nb.ipynb',
  backend: 'argo' as const,
  steps: [
    { name: 'load', cells: ['c1'], after: [] },
    { name: 'train', cells: ['c2'], after: ['load'] },
  ],
  parameters: {},
};

async function tick(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('WorkflowFollower', () => {
  it('turns Workflow versions into the local engine event sequence, across a dropped watch', async () => {
    const kube = new ScriptedKube('run-1');
    kube.logs.set('pod-load', ['2026-01-01T00:00:01.000000000Z loading', '2026-01-01T00:00:02.000000000Z done']);
    kube.logs.set('pod-train', [
      '2026-01-01T00:00:03.000000000Z training',
      `2026-01-01T00:00:04.000000000Z ${STEP_ERROR_MARKER}${JSON.stringify({
        type: 'ValueError',
        message: 'bad value',
        cellId: 'c2',
        cellIndex: 2,
        line: 1,
        traceback: 'Traceback...\nValueError: bad value',
      })}`,
    ]);
    const channel = new EventChannel<RunEvent>();
    const follower = new WorkflowFollower(kube as unknown as KubeApi, 'run-1', started, channel, {
      watch: { retryDelayMs: 1 },
      logGraceMs: 1000,
    });
    const done = follower.follow();
    await tick();
    const load: ArgoNode = {
      id: 'node-load',
      displayName: 'load',
      type: 'Pod',
      phase: 'Running',
      startedAt: '2026-01-01T00:00:00Z',
    };
    kube.push([load]);
    await tick();
    kube.drop();
    await tick();
    kube.push(
      [
        {
          ...load,
          phase: 'Succeeded',
          finishedAt: '2026-01-01T00:00:02Z',
          outputs: { parameters: [{ name: 'metrics', value: '{"rows": 10}' }] },
        },
        { id: 'node-train', displayName: 'train', type: 'Pod', phase: 'Failed', message: 'Error (exit code 1)' },
      ],
      'Failed',
    );
    const finished = await done;
    const events = channel.snapshot();
    const summary = (step?: string): string[] =>
      events
        .filter((event) => step === undefined || ('step' in event && event.step === step))
        .map((event) =>
          event.type === 'step-state' ? event.state : event.type === 'step-log' ? `> ${event.text.trim()}` : event.type,
        );
    // Steps report concurrently; each step's own events come in the local engine's order.
    expect(summary('load')).toEqual(['running', '> loading', '> done', 'step-metric', 'succeeded']);
    // 'train' ran between two Workflow versions: first seen failed, it still reports running first.
    expect(summary('train')).toEqual(['running', '> training', 'step-error', 'failed']);
    expect(summary().at(0)).toBe('run-started');
    expect(summary().at(-1)).toBe('run-finished');
    expect(follower.watch.resumes).toBe(1);
    expect(events.find((event) => event.type === 'step-state' && event.state === 'failed')).toMatchObject({
      reason: 'ValueError: bad value (cell 2, line 1)',
    });
    expect(finished).toMatchObject({ state: 'failed', metrics: { load: { rows: 10 } } });
  });
});

describe('PodLogFollower', () => {
  it('resumes a cut stream with sinceTime and delivers each line once, even several lines in one second', async () => {
    const lines = [
      '2026-01-01T00:00:01.100000000Z a',
      '2026-01-01T00:00:01.200000000Z b',
      '2026-01-01T00:00:01.200000000Z b2',
      '2026-01-01T00:00:02.000000000Z c',
    ];
    let calls = 0;
    const kube = {
      async podLog(
        _pod: string,
        options: { sinceTime?: string },
        onLine: (line: string) => void,
      ): Promise<LogConnection> {
        calls++;
        const from = options.sinceTime
          ? lines.filter((line) => line.slice(0, 19) >= options.sinceTime!.slice(0, 19))
          : lines;
        // The first stream is cut after three lines; later ones run to the end.
        for (const line of calls === 1 ? from.slice(0, 3) : from) onLine(line);
        return { abort: () => undefined, closed: Promise.resolve(null) };
      },
    } as unknown as KubeApi;
    const received: string[] = [];
    let finished = false;
    const follower = new PodLogFollower(kube, 'pod', {
      finished: () => finished,
      onLine: (text) => {
        received.push(text);
        if (text === 'c') finished = true;
      },
      onProblem: (message) => received.push(`problem: ${message}`),
      retryDelayMs: 1,
    });
    await follower.run();
    expect(received).toEqual(['a', 'b', 'b2', 'c']);
    expect(follower.resumes).toBe(1);
  });
});
