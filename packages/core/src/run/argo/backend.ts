import { EventChannel } from '../../events/channel.js';
import type { RunEvent, RunFinishedEvent, RunStartedEvent } from '../../events/runEvent.js';
import type { RunBackend, RunHandle, RunOptions } from '../types.js';
import { ClusterError } from './errors.js';
import type { ArgoWorkflow } from './nodes.js';
import { WorkflowFollower, type FollowOptions } from './follow.js';
import { ClientNodeKube, type KubeApi, type KubeConfigMap, type KubeTarget } from './kube.js';
import { prepareSubmission, RUN_KEY, type SubmissionOptions } from './submission.js';

export interface ArgoBackendOptions extends KubeTarget, SubmissionOptions {
  /** The Kubernetes API to use; default: the kubeconfig's, through @kubernetes/client-node. */
  kube?: KubeApi;
  follow?: FollowOptions;
}

/** A run on the cluster: `RunHandle` plus the Workflow's namespace. */
export interface ArgoRunHandle extends RunHandle {
  namespace: string;
  /** Stops following the run and leaves it running on the cluster. */
  detach(): void;
}

/**
 * Runs a notebook pipeline as an Argo Workflow: the step code travels in a ConfigMap owned by the Workflow,
 * and the run is observed through the same `RunEvent` stream as a local run (`backend: 'argo'`).
 */
export class ArgoBackend implements RunBackend {
  private kubeApi?: KubeApi;

  private readonly options: ArgoBackendOptions;

  constructor(options: ArgoBackendOptions = {}) {
    // Editors pass unset settings as empty strings: they mean "the kubeconfig's default".
    this.options = {
      ...options,
      context: options.context || undefined,
      namespace: options.namespace || undefined,
      image: options.image || undefined,
      serviceAccount: options.serviceAccount || undefined,
    };
    this.kubeApi = options.kube;
  }

  /** The Kubernetes API of the configured context, loaded on first use. */
  get kube(): KubeApi {
    this.kubeApi ??= ClientNodeKube.fromTarget(this.options);
    return this.kubeApi;
  }

  /**
   * Starts a run and returns at once (the `RunBackend` contract): a problem with the cluster ends the
   * run with `run-finished` failed and the one-line reason. Bad input throws here, before anything is sent.
   */
  start(options: RunOptions): ArgoRunHandle {
    const submission = prepareSubmission(options, this.options);
    const channel = new EventChannel<RunEvent>();
    let kube: KubeApi | undefined;
    let kubeError: unknown;
    try {
      kube = this.kube;
    } catch (error) {
      kubeError = error;
    }
    let created = false;
    let cancelRequested = false;
    let follower: WorkflowFollower | undefined;
    const cancel = (): void => {
      cancelRequested = true;
      if (kube && created) void cancelWorkflow(kube, submission.name).catch(() => undefined);
    };
    const done = (async (): Promise<RunFinishedEvent> => {
      try {
        if (!kube) throw kubeError;
        await createRun(kube, submission.name, submission.workflow, submission.configMap);
        created = true;
      } catch (error) {
        return failedRun(channel, submission.name, submission.started, error);
      }
      if (cancelRequested) await cancelWorkflow(kube, submission.name).catch(() => undefined);
      follower = new WorkflowFollower(kube, submission.name, submission.started, channel, this.options.follow);
      return follower.follow();
    })();
    if (options.signal?.aborted) cancel();
    else options.signal?.addEventListener('abort', cancel, { once: true });
    void done.finally(() => options.signal?.removeEventListener('abort', cancel));
    const detach = (): void => follower?.stop();
    return { runId: submission.name, namespace: kube?.namespace ?? '', events: channel, cancel, done, detach };
  }

  /** Creates the run and resolves once the cluster accepted it (rejects with its refusal); `attach` follows it. */
  async submit(options: RunOptions): Promise<{ runId: string; namespace: string; started: RunStartedInfo }> {
    const submission = prepareSubmission(options, this.options);
    await createRun(this.kube, submission.name, submission.workflow, submission.configMap);
    return { runId: submission.name, namespace: this.kube.namespace, started: submission.started };
  }

  /** Follows a run already on the cluster (its events from `run-started` on, as they stand now). */
  async attach(runId: string, started?: RunStartedInfo, signal?: AbortSignal): Promise<ArgoRunHandle> {
    const kube = this.kube;
    const info = started ?? (await runInfo(kube, runId));
    const channel = new EventChannel<RunEvent>();
    const cancel = (): void => void cancelWorkflow(kube, runId).catch(() => undefined);
    if (signal?.aborted) cancel();
    else signal?.addEventListener('abort', cancel, { once: true });
    const follower = new WorkflowFollower(kube, runId, info, channel, this.options.follow);
    const done = follower.follow();
    void done.finally(() => signal?.removeEventListener('abort', cancel));
    return { runId, namespace: kube.namespace, events: channel, cancel, done, detach: () => follower.stop() };
  }
}

export type RunStartedInfo = Omit<RunStartedEvent, 'type' | 'time' | 'runId'>;

/**
 * Creates a run and returns the Workflow as the API server stored it. ConfigMap first, then the Workflow that mounts it, then the ConfigMap's ownerReference to the Workflow:
 * the owner's uid exists only once the Workflow does, and a Workflow created first could start a pod
 * before its ConfigMap exists. If a later call fails, what was created is deleted again.
 */
export async function createRun(
  kube: KubeApi,
  name: string,
  workflow: Record<string, unknown>,
  configMap: KubeConfigMap,
): Promise<ArgoWorkflow> {
  const configMapName = configMap.metadata.name as string;
  await kube.checkArgoInstalled();
  await kube.createConfigMap(configMap);
  let created;
  try {
    created = await kube.createWorkflow(workflow);
  } catch (error) {
    await kube.deleteConfigMap(configMapName).catch(() => undefined);
    throw error;
  }
  try {
    await kube.patchConfigMap(configMapName, {
      metadata: {
        ownerReferences: [
          {
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Workflow',
            name,
            uid: created.metadata.uid,
            blockOwnerDeletion: false,
          },
        ],
      },
    });
  } catch (error) {
    await kube.deleteWorkflow(name).catch(() => undefined);
    await kube.deleteConfigMap(configMapName).catch(() => undefined);
    throw error;
  }
  return created;
}

/** `spec.shutdown: Terminate`: Argo stops the running pods and runs nothing else (Stop would still run exit handlers, which cellpipe never compiles). */
export async function cancelWorkflow(kube: KubeApi, name: string): Promise<void> {
  await kube.patchWorkflow(name, { spec: { shutdown: 'Terminate' } });
}

/** What `run-started` announced for a run, from its ConfigMap. */
export async function runInfo(kube: KubeApi, runId: string): Promise<RunStartedInfo> {
  const configMap = await kube.getConfigMap(`${runId}-bundle`);
  const text = configMap.data?.[RUN_KEY];
  if (!text)
    throw new ClusterError(
      `run '${runId}' has no ${RUN_KEY} in ConfigMap '${runId}-bundle': it was not submitted by cellpipe`,
    );
  return JSON.parse(text) as RunStartedInfo;
}

function failedRun(
  channel: EventChannel<RunEvent>,
  runId: string,
  started: RunStartedInfo,
  error: unknown,
): RunFinishedEvent {
  const time = (): string => new Date().toISOString();
  channel.push({ type: 'run-started', runId, time: time(), ...started });
  const reason = error instanceof ClusterError ? error.message : `internal error: ${(error as Error).message}`;
  const finished: RunFinishedEvent = {
    type: 'run-finished',
    runId,
    time: time(),
    state: 'failed',
    elapsedMs: 0,
    metrics: {},
    reason,
  };
  for (const step of started.steps)
    channel.push({
      type: 'step-state',
      runId,
      time: time(),
      step: step.name,
      state: 'skipped',
      reason: 'run not submitted',
    });
  channel.push(finished);
  channel.close();
  return finished;
}
