import { gzipSync } from 'node:zlib';
import { ClusterError } from './errors.js';
import {
  parseMetrics,
  podName,
  runState,
  stepSnapshots,
  workflowNodes,
  type ArgoNode,
  type ArgoWorkflow,
} from './nodes.js';

const STEPS = ['load', 'train', 'report'];

function workflow(nodes: ArgoNode[], phase = 'Running', shutdown?: string): ArgoWorkflow {
  return {
    metadata: { name: 'wine-abcde' },
    spec: shutdown ? { shutdown } : {},
    status: { phase, nodes: Object.fromEntries(nodes.map((node) => [node.id, node])) },
  };
}

const dag: ArgoNode = { id: 'wine-abcde', displayName: 'wine-abcde', type: 'DAG', phase: 'Running' };
const bundle: ArgoNode = { id: 'wine-abcde-1', displayName: 'cellpipe-bundle', type: 'Pod', phase: 'Succeeded' };

describe('stepSnapshots', () => {
  it('maps node phases to step states by display name, whatever the node ids and pod names are', () => {
    const snapshots = stepSnapshots(
      workflow([
        dag,
        bundle,
        {
          id: 'wine-abcde-111',
          displayName: 'load',
          templateName: 'load',
          type: 'Pod',
          phase: 'Succeeded',
          startedAt: '2026-01-01T00:00:00Z',
          finishedAt: '2026-01-01T00:00:04Z',
          outputs: { parameters: [{ name: 'metrics', value: '{"rows": 178, "loss": [0.5, 0.25]}' }] },
        },
        {
          id: 'wine-abcde-222',
          displayName: 'train',
          type: 'Pod',
          phase: 'Running',
          startedAt: '2026-01-01T00:00:05Z',
        },
      ]),
      STEPS,
      Date.parse('2026-01-01T00:00:07Z'),
    );
    expect(snapshots.get('load')).toMatchObject({
      state: 'succeeded',
      elapsedMs: 4000,
      metrics: { rows: 178, loss: [0.5, 0.25] },
    });
    expect(snapshots.get('train')).toMatchObject({ state: 'running', elapsedMs: 2000 });
    expect(snapshots.get('train')?.podNode?.id).toBe('wine-abcde-222');
    expect(snapshots.get('report')).toEqual({ state: 'pending' });
  });

  it('reports memoized steps as cached with their metrics, and Pending pods as queued', () => {
    const snapshots = stepSnapshots(
      workflow([
        {
          id: 'a',
          displayName: 'load',
          type: 'Pod',
          phase: 'Succeeded',
          memoizationStatus: { hit: true, key: 'cellpipe-x' },
          outputs: { parameters: [{ name: 'metrics', value: '{"rows": 3}' }] },
        },
        { id: 'b', displayName: 'train', type: 'Pod', phase: 'Pending' },
      ]),
      STEPS,
    );
    expect(snapshots.get('load')).toMatchObject({ state: 'cached', metrics: { rows: 3 } });
    expect(snapshots.get('train')?.state).toBe('queued');
  });

  it('follows the task node of a retried step and the pod of its last attempt', () => {
    const snapshots = stepSnapshots(
      workflow(
        [
          { id: 'r', displayName: 'train', type: 'Retry', phase: 'Failed', message: 'No more retries left' },
          { id: 'p0', displayName: 'train(0)', type: 'Pod', phase: 'Failed', startedAt: '2026-01-01T00:00:00Z' },
          { id: 'p1', displayName: 'train(1)', type: 'Pod', phase: 'Failed', startedAt: '2026-01-01T00:00:09Z' },
        ],
        'Failed',
      ),
      STEPS,
    );
    expect(snapshots.get('train')).toMatchObject({ state: 'failed', reason: 'No more retries left' });
    expect(snapshots.get('train')?.podNode?.id).toBe('p1');
  });

  it('skips omitted steps and, once the run ended, the steps Argo never reached', () => {
    const failed = stepSnapshots(
      workflow(
        [
          { id: 'a', displayName: 'load', type: 'Pod', phase: 'Failed', message: 'Error (exit code 1)' },
          {
            id: 'b',
            displayName: 'train',
            type: 'Omitted',
            phase: 'Omitted',
            message: 'omitted: depends condition not met',
          },
        ],
        'Failed',
      ),
      STEPS,
    );
    expect(failed.get('load')).toMatchObject({ state: 'failed', reason: 'Error (exit code 1)' });
    expect(failed.get('train')).toMatchObject({ state: 'skipped', reason: 'omitted: depends condition not met' });
    expect(failed.get('report')?.state).toBe('skipped');
  });

  it('reports a Workflow stopped through spec.shutdown as cancelled, its running steps too', () => {
    const stopped = workflow(
      [{ id: 'a', displayName: 'load', type: 'Pod', phase: 'Failed', message: "Stopped with strategy 'Terminate'" }],
      'Failed',
      'Terminate',
    );
    expect(runState(stopped)).toBe('cancelled');
    const snapshots = stepSnapshots(stopped, STEPS);
    expect(snapshots.get('load')).toMatchObject({ state: 'cancelled' });
    expect(snapshots.get('train')).toMatchObject({ state: 'cancelled', reason: 'run cancelled' });
  });
});

describe('workflowNodes', () => {
  it('decodes status.compressedNodes (base64 of gzip JSON)', () => {
    const nodes = { a: { id: 'a', displayName: 'load', type: 'Pod', phase: 'Succeeded' } };
    const compressed: ArgoWorkflow = {
      metadata: { name: 'w' },
      status: { phase: 'Succeeded', compressedNodes: gzipSync(JSON.stringify(nodes)).toString('base64') },
    };
    expect(workflowNodes(compressed)).toEqual(nodes);
    expect(stepSnapshots(compressed, ['load']).get('load')?.state).toBe('succeeded');
  });

  it('names offloaded node status as the reason it cannot follow the run', () => {
    const offloaded: ArgoWorkflow = {
      metadata: { name: 'w' },
      status: { phase: 'Running', offloadNodeStatusVersion: 'fnv:1' },
    };
    expect(() => workflowNodes(offloaded)).toThrow(ClusterError);
    expect(() => workflowNodes(offloaded)).toThrow(/offloaded to Argo's database.*nodeStatusOffLoad/);
  });

  it('rejects compressedNodes that are not gzip JSON in one line', () => {
    const broken: ArgoWorkflow = { metadata: { name: 'w' }, status: { compressedNodes: 'bm90IGd6aXA=' } };
    expect(() => workflowNodes(broken)).toThrow(/workflow w: status.compressedNodes is not base64 gzip JSON/);
  });
});

describe('parseMetrics and podName', () => {
  it('reads the metrics output parameter, ignoring what is not a JSON object', () => {
    expect(parseMetrics({ id: 'a', outputs: { parameters: [{ name: 'metrics', value: '{"f1": 0.5}' }] } })).toEqual({
      f1: 0.5,
    });
    expect(parseMetrics({ id: 'a', outputs: { parameters: [{ name: 'metrics', value: '[1]' }] } })).toBeUndefined();
    expect(parseMetrics({ id: 'a', outputs: { parameters: [{ name: 'metrics', value: 'nope' }] } })).toBeUndefined();
    expect(parseMetrics({ id: 'a' })).toBeUndefined();
  });

  it("derives Argo's v2 pod name from the node id and template, and keeps v1 ids as they are", () => {
    const wf: ArgoWorkflow = { metadata: { name: 'hello-dag-92mmc' } };
    expect(podName(wf, 'hello-dag-92mmc-266037868', 'say')).toBe('hello-dag-92mmc-say-266037868');
    expect(podName(wf, 'other-1', 'say')).toBe('other-1');
  });
});
