import { STEP_ERROR_MARKER } from '../../compile/argo/bundle.js';
import type { EventChannel } from '../../events/channel.js';
import type { MetricValue, RunEvent, RunFinishedEvent, RunStartedEvent, StepState } from '../../events/runEvent.js';
import { artifactRepositoryHint, ClusterError } from './errors.js';
import type { KubeApi } from './kube.js';
import { PodLogFollower } from './logs.js';
import { podName, runState, stepSnapshots, type ArgoWorkflow, type StepSnapshot } from './nodes.js';
import { WorkflowWatch, type WorkflowWatchOptions } from './watch.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface FollowOptions {
  watch?: WorkflowWatchOptions;
  /** Longest wait for a finished step's log (and its error record) before reporting its state anyway. */
  logGraceMs?: number;
}

interface StepTrack {
  state: StepState;
  follower?: PodLogFollower;
  /** Settles when the step's log was read to its end; set once the follower is started. */
  logDone?: Promise<void>;
  error?: StepErrorRecord;
  finalizing?: Promise<void>;
}

interface StepErrorRecord {
  type: string;
  message: string;
  cellId?: string;
  cellIndex?: number;
  line?: number;
  traceback: string;
}

/**
 * Turns one Workflow's life into the run's `RunEvent`s, the same stream a local run emits: step states
 * from `status.nodes`, metrics from the nodes' `metrics` output, logs and errors from the step pods.
 */
export class WorkflowFollower {
  readonly watch: WorkflowWatch;
  private readonly tracks = new Map<string, StepTrack>();
  private readonly metrics: Record<string, Record<string, MetricValue>> = {};
  private podNames = new Map<string, string>();
  private latest?: ArgoWorkflow;
  private finished?: Promise<void>;
  private readonly startedAt: number;

  constructor(
    private readonly kube: KubeApi,
    private readonly runId: string,
    private readonly started: Omit<RunStartedEvent, 'type' | 'time' | 'runId'>,
    private readonly channel: EventChannel<RunEvent>,
    private readonly options: FollowOptions = {},
  ) {
    this.startedAt = Date.now();
    for (const step of started.steps) this.tracks.set(step.name, { state: 'pending' });
    this.watch = new WorkflowWatch(kube, runId, (workflow) => this.update(workflow), options.watch);
  }

  /** Emits `run-started`, follows the Workflow to its end and resolves with `run-finished`. */
  async follow(): Promise<RunFinishedEvent> {
    this.emit({ type: 'run-started', ...this.started });
    let failure: string | undefined;
    try {
      const watching = this.watch.run();
      await Promise.race([watching, this.untilFinished()]);
      this.watch.stop();
      await watching;
      await this.finished;
    } catch (error) {
      this.watch.stop();
      failure = error instanceof ClusterError ? error.message : `internal error: ${(error as Error).message}`;
    }
    this.stopped = true;
    for (const track of this.tracks.values()) track.follower?.stop();
    await Promise.all([...this.tracks.values()].map((track) => track.finalizing));
    const workflow = this.latest;
    const state = failure ? 'failed' : workflow ? runState(workflow) : 'failed';
    const reason =
      failure ??
      (state === 'failed' && workflow
        ? (artifactRepositoryHint(workflow.status?.message, this.kube.namespace) ?? workflow.status?.message)
        : undefined);
    const startedAt = Date.parse(workflow?.status?.startedAt ?? '') || this.startedAt;
    const finishedAt = Date.parse(workflow?.status?.finishedAt ?? '') || Date.now();
    const finished = this.emit({
      type: 'run-finished',
      state,
      elapsedMs: Math.max(0, finishedAt - startedAt),
      metrics: this.metrics,
      ...(reason ? { reason: reason.split('\n')[0] } : {}),
    }) as RunFinishedEvent;
    this.channel.close();
    return finished;
  }

  private finish?: () => void;
  private stopped = false;

  private untilFinished(): Promise<void> {
    return new Promise((resolve) => (this.finish = resolve));
  }

  /** Stops following (the watch and the log streams); `follow()` then ends with the state last seen. */
  stop(): void {
    this.stopped = true;
    this.watch.stop();
    for (const track of this.tracks.values()) track.follower?.stop();
    this.finish?.();
  }

  private update(workflow: ArgoWorkflow): void {
    this.latest = workflow;
    const snapshots = stepSnapshots(workflow, [...this.tracks.keys()]);
    for (const [step, snapshot] of snapshots) this.updateStep(step, snapshot, workflow);
    if (runState(workflow) !== 'running' && !this.finished) {
      this.finished = Promise.all([...this.tracks.values()].map((track) => track.finalizing)).then(() => undefined);
      this.finish?.();
    }
  }

  private updateStep(step: string, snapshot: StepSnapshot, workflow: ArgoWorkflow): void {
    const track = this.tracks.get(step) as StepTrack;
    if (snapshot.podNode && !track.logDone && snapshot.state !== 'cached')
      this.followLog(step, track, snapshot, workflow);
    if (snapshot.state === track.state || isFinal(track.state)) return;
    // A pod that ran between two watch events is first seen finished; the stream still says it ran, as a local run's does.
    if (
      (snapshot.state === 'succeeded' || snapshot.state === 'failed') &&
      snapshot.podNode &&
      track.state !== 'running'
    )
      this.emit({ type: 'step-state', step, state: 'running' });
    track.state = snapshot.state;
    if (!isFinal(snapshot.state)) {
      this.emit({ type: 'step-state', step, state: snapshot.state, elapsedMs: snapshot.elapsedMs });
      return;
    }
    track.follower?.wake();
    track.finalizing = this.finalizeStep(step, track, snapshot);
  }

  /** A finished step: its log read to the end (the error record is in it), then metrics, error and state. */
  private async finalizeStep(step: string, track: StepTrack, snapshot: StepSnapshot): Promise<void> {
    if (track.logDone) await Promise.race([track.logDone, delay(this.options.logGraceMs ?? 10_000)]);
    if (snapshot.metrics) {
      this.metrics[step] = {};
      for (const [name, value] of Object.entries(snapshot.metrics)) {
        if (Array.isArray(value)) {
          value.forEach((item, index) => this.emit({ type: 'step-metric', step, name, value: item, index }));
          const last = value[value.length - 1];
          if (last !== undefined) this.metrics[step][name] = last;
        } else {
          this.emit({ type: 'step-metric', step, name, value });
          this.metrics[step][name] = value;
        }
      }
    }
    let reason = snapshot.reason;
    if (snapshot.state === 'failed') {
      const error = track.error;
      if (error) {
        const { type, message, cellId, cellIndex, line, traceback } = error;
        this.emit({ type: 'step-error', step, errorType: type, message, cellId, cellIndex, line, traceback });
        const where =
          cellIndex === undefined ? '' : ` (cell ${cellIndex}${line === undefined ? '' : `, line ${line}`})`;
        reason = `${type}: ${message.split('\n')[0]}${where}`;
      } else reason = artifactRepositoryHint(reason, this.kube.namespace) ?? reason;
    }
    this.emit({ type: 'step-state', step, state: snapshot.state, elapsedMs: snapshot.elapsedMs, reason });
  }

  private followLog(step: string, track: StepTrack, snapshot: StepSnapshot, workflow: ArgoWorkflow): void {
    const node = snapshot.podNode;
    if (!node) return;
    const options = {
      finished: () => isFinal(track.state) || runState(this.latest ?? workflow) !== 'running',
      onLine: (text: string) => {
        if (text.startsWith(STEP_ERROR_MARKER)) {
          try {
            track.error = JSON.parse(text.slice(STEP_ERROR_MARKER.length)) as StepErrorRecord;
            return;
          } catch {
            // Not our record after all: show the line as the step printed it.
          }
        }
        this.emit({ type: 'step-log', step, stream: 'stdout', text: `${text}\n` });
      },
      onProblem: (message: string) => this.emit({ type: 'step-log', step, stream: 'stderr', text: `${message}\n` }),
    };
    track.logDone = this.resolvePod(node.id, node.templateName ?? step, workflow).then((pod) => {
      if (this.stopped) return;
      track.follower = new PodLogFollower(this.kube, pod, options);
      return track.follower.run();
    });
  }

  /** The pod of a node: from the pods' node-id annotation (Argo 3.7 and 4.x name pods differently), else Argo's naming rule. */
  private async resolvePod(nodeId: string, template: string, workflow: ArgoWorkflow): Promise<string> {
    if (!this.podNames.has(nodeId)) {
      try {
        this.podNames = await this.kube.workflowPods(workflow.metadata.name);
      } catch {
        // Listing pods is optional (RBAC may deny it): Argo's naming rule names the pod as well.
      }
    }
    return this.podNames.get(nodeId) ?? podName(workflow, nodeId, template);
  }

  private emit(event: DistributiveOmit<RunEvent, 'runId' | 'time'>): RunEvent {
    const full = { runId: this.runId, time: new Date().toISOString(), ...event } as RunEvent;
    this.channel.push(full);
    return full;
  }
}

function isFinal(state: StepState): boolean {
  return (
    state === 'succeeded' || state === 'cached' || state === 'failed' || state === 'skipped' || state === 'cancelled'
  );
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
