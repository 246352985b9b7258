import type { RunState } from '../../events/runEvent.js';
import { createRun, runInfo } from './backend.js';
import { ClusterError } from './errors.js';
import type { KubeApi } from './kube.js';
import { PodLogFollower } from './logs.js';
import { podName, runState, workflowNodes, type ArgoWorkflow } from './nodes.js';
import { MANAGED_BY, NOTEBOOK_ANNOTATION, RETRY_OF_ANNOTATION, workflowName } from './submission.js';

/** One cluster run as `cellpipe runs --backend argo` lists it. */
export interface ArgoRunSummary {
  runId: string;
  namespace: string;
  notebook: string;
  state: RunState;
  startedAt?: string;
  finishedAt?: string;
  /** The run this one retried, if any. */
  retryOf?: string;
}

/** The runs cellpipe submitted in the namespace, newest first. */
export async function listArgoRuns(kube: KubeApi): Promise<ArgoRunSummary[]> {
  const selector = Object.entries(MANAGED_BY)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  const { items } = await kube.listWorkflows(selector);
  return items
    .map((workflow) => ({
      runId: workflow.metadata.name,
      namespace: kube.namespace,
      notebook: workflow.metadata.annotations?.[NOTEBOOK_ANNOTATION] ?? '',
      state: runState(workflow),
      startedAt: workflow.status?.startedAt ?? workflow.metadata.creationTimestamp,
      finishedAt: workflow.status?.finishedAt ?? undefined,
      retryOf: workflow.metadata.annotations?.[RETRY_OF_ANNOTATION],
    }))
    .sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
}

/**
 * Retry = resubmission with memoization: a new Workflow with the same spec and bundle. Every step that
 * succeeded before hits Argo's memoization cache (reported `cached`, no pod), so only the failed steps and
 * their dependents run. Chosen over resetting failed nodes in place (what `argo retry` does through the
 * Argo server) because that rewrites `status`, deletes pods and needs the argo-server or status-subresource
 * rights; a resubmission needs only `create`, and the first run stays as it was for comparison.
 */
export async function retryArgoRun(kube: KubeApi, runId: string): Promise<string> {
  const previous = await kube.getWorkflow(runId);
  if (runState(previous) === 'running')
    throw new ClusterError(
      `run '${runId}' is still running: wait for it to end or cancel it first (cellpipe cancel ${runId})`,
    );
  const configMap = await kube.getConfigMap(`${runId}-bundle`);
  const pipeline = previous.metadata.labels?.['cellpipe.dev/pipeline'] ?? runId.replace(/-[a-z0-9]+$/, '');
  const name = workflowName(pipeline);
  const spec = structuredClone(previous.spec ?? {}) as Record<string, unknown>;
  delete spec['shutdown'];
  spec['volumes'] = ((spec['volumes'] as { name: string; configMap?: { name: string } }[] | undefined) ?? []).map(
    (volume) =>
      volume.configMap?.name === `${runId}-bundle` ? { ...volume, configMap: { name: `${name}-bundle` } } : volume,
  );
  const workflow = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    // Only cellpipe's own labels: Argo's (`workflows.argoproj.io/completed`, `phase`) would hide the new run from its controller.
    metadata: {
      name,
      labels: cellpipeOnly(previous.metadata.labels),
      annotations: { ...cellpipeOnly(previous.metadata.annotations), [RETRY_OF_ANNOTATION]: runId },
    },
    spec,
  };
  await createRun(kube, name, workflow, {
    metadata: { name: `${name}-bundle`, labels: { ...configMap.metadata.labels, 'cellpipe.dev/workflow': name } },
    data: configMap.data,
    ...(configMap.binaryData ? { binaryData: configMap.binaryData } : {}),
  });
  return name;
}

function cellpipeOnly(entries: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(entries ?? {}).filter(([key]) => key.startsWith('cellpipe.dev/') || key in MANAGED_BY),
  );
}

/** The logs of a run's steps as they stand (no following), step by step in graph order. */
export async function readArgoLogs(
  kube: KubeApi,
  runId: string,
  step?: string,
): Promise<{ step: string; lines: string[]; problem?: string }[]> {
  const info = await runInfo(kube, runId);
  const names = info.steps.map((candidate) => candidate.name);
  if (step !== undefined && !names.includes(step))
    throw new ClusterError(`run '${runId}' has no step '${step}' (steps: ${names.join(', ')})`);
  const workflow = await kube.getWorkflow(runId);
  const pods = await kube.workflowPods(runId).catch(() => new Map<string, string>());
  const nodes = podNodes(workflow);
  const result: { step: string; lines: string[]; problem?: string }[] = [];
  for (const name of step === undefined ? names : [step]) {
    const node = nodes.get(name);
    if (!node) continue;
    const lines: string[] = [];
    let problem: string | undefined;
    await new PodLogFollower(kube, pods.get(node.id) ?? podName(workflow, node.id, node.template), {
      finished: () => true,
      onLine: (text) => lines.push(text),
      onProblem: (message) => (problem = message),
    }).run();
    result.push({ step: name, lines, problem });
  }
  return result;
}

/** The last pod node of each step (its latest attempt). */
function podNodes(workflow: ArgoWorkflow): Map<string, { id: string; template: string }> {
  const byStep = new Map<string, { id: string; template: string; startedAt: string }>();
  for (const node of Object.values(workflowNodes(workflow))) {
    if (node.type !== 'Pod') continue;
    const step = (node.displayName ?? node.templateName ?? '').replace(/\(\d+\)$/, '');
    const previous = byStep.get(step);
    if (!previous || (node.startedAt ?? '') >= previous.startedAt)
      byStep.set(step, { id: node.id, template: node.templateName ?? step, startedAt: node.startedAt ?? '' });
  }
  return byStep;
}
