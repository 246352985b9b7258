import { gunzipSync } from 'node:zlib';
import type { MetricValue, RunState, StepState } from '../../events/runEvent.js';
import { ARGO_METRICS_PARAMETER } from '../../compile/argo/compile.js';
import { ClusterError } from './errors.js';

/** The fields of an Argo `NodeStatus` cellpipe reads (the same in Argo 3.7 and 4.x). */
export interface ArgoNode {
  id: string;
  name?: string;
  displayName?: string;
  type?: string;
  templateName?: string;
  phase?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  outputs?: { parameters?: { name: string; value?: string }[] };
  memoizationStatus?: { hit?: boolean; key?: string };
}

export interface ArgoWorkflow {
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: { shutdown?: string; [field: string]: unknown };
  status?: {
    phase?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
    nodes?: Record<string, ArgoNode>;
    compressedNodes?: string;
    offloadNodeStatusVersion?: string;
  };
}

/** What the Workflow status says about one cellpipe step. */
export interface StepSnapshot {
  state: StepState;
  reason?: string;
  elapsedMs?: number;
  /** The node of the step's (last) pod, to find its pod and logs. */
  podNode?: ArgoNode;
  /** Parsed from the node's `metrics` output parameter once the step finished. */
  metrics?: Record<string, MetricValue | MetricValue[]>;
}

/**
 * The nodes of a Workflow status, whichever way the controller stored them: inline, or compressed
 * (`status.compressedNodes`, base64 of gzip JSON). Offloaded nodes live in Argo's database only.
 */
export function workflowNodes(workflow: ArgoWorkflow): Record<string, ArgoNode> {
  const status = workflow.status ?? {};
  if (status.nodes && Object.keys(status.nodes).length > 0) return status.nodes;
  if (status.compressedNodes) {
    try {
      return JSON.parse(gunzipSync(Buffer.from(status.compressedNodes, 'base64')).toString('utf8')) as Record<
        string,
        ArgoNode
      >;
    } catch (error) {
      throw new ClusterError(
        `workflow ${workflow.metadata.name}: status.compressedNodes is not base64 gzip JSON (${(error as Error).message})`,
      );
    }
  }
  if (status.offloadNodeStatusVersion)
    throw new ClusterError(
      `workflow ${workflow.metadata.name}: its node status is offloaded to Argo's database, which the Kubernetes API does not serve; ` +
        'turn nodeStatusOffLoad off in the workflow-controller-configmap to follow runs with cellpipe (see docs/cluster/README.md)',
    );
  return {};
}

/** Maps the Workflow status to one snapshot per step (steps Argo has not reached yet are `pending`). */
export function stepSnapshots(workflow: ArgoWorkflow, steps: string[], now = Date.now()): Map<string, StepSnapshot> {
  const byStep = new Map<string, ArgoNode[]>();
  const stepSet = new Set(steps);
  for (const node of Object.values(workflowNodes(workflow))) {
    const step = Private.stepOf(node);
    if (step === undefined || !stepSet.has(step)) continue;
    byStep.set(step, [...(byStep.get(step) ?? []), node]);
  }
  const cancelled = Boolean(workflow.spec?.shutdown);
  const finished = runState(workflow) !== 'running';
  const snapshots = new Map<string, StepSnapshot>();
  for (const step of steps) {
    const nodes = byStep.get(step) ?? [];
    const snapshot = Private.snapshot(nodes, now, cancelled);
    if (finished && (snapshot.state === 'pending' || snapshot.state === 'queued' || snapshot.state === 'running')) {
      snapshot.state = cancelled ? 'cancelled' : 'skipped';
      snapshot.reason = cancelled ? 'run cancelled' : 'a step it depends on failed';
    }
    snapshots.set(step, snapshot);
  }
  return snapshots;
}

/** The run's state from the Workflow phase; a Workflow stopped through `spec.shutdown` counts as cancelled. */
export function runState(workflow: ArgoWorkflow): RunState {
  const phase = workflow.status?.phase;
  if (phase === 'Succeeded') return 'succeeded';
  if (phase === 'Failed' || phase === 'Error') return workflow.spec?.shutdown ? 'cancelled' : 'failed';
  return 'running';
}

/** `{"accuracy": 0.9, "loss": [0.5, 0.3]}` from a step's `metrics` output parameter; undefined when absent or unreadable. */
export function parseMetrics(node: ArgoNode | undefined): Record<string, MetricValue | MetricValue[]> | undefined {
  const text = node?.outputs?.parameters?.find((parameter) => parameter.name === ARGO_METRICS_PARAMETER)?.value;
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return value as Record<string, MetricValue | MetricValue[]>;
  } catch {
    return undefined;
  }
}

/**
 * Argo's pod name for a node when the pods cannot be listed: `<workflow>-<template>-<hash>` (POD_NAMES=v2, the
 * default since 3.2), where the node id is `<workflow>-<hash>`; older v1 names are the node id itself.
 */
export function podName(workflow: ArgoWorkflow, nodeId: string, template: string): string {
  const prefix = `${workflow.metadata.name}-`;
  if (!nodeId.startsWith(prefix)) return nodeId;
  const name = `${workflow.metadata.name}-${template}`;
  // Argo shortens the prefix so the whole name fits Kubernetes' 253 characters.
  return `${name.length > 253 - 11 ? name.slice(0, 253 - 11) : name}-${nodeId.slice(prefix.length)}`;
}

namespace Private {
  /** `train` for the task node and for its retry attempts `train(0)`, `train(1)`; undefined for the DAG itself. */
  export function stepOf(node: ArgoNode): string | undefined {
    if (node.type === 'DAG' || node.type === 'Steps' || node.type === 'StepGroup') return undefined;
    const display = node.displayName ?? node.templateName;
    if (display === undefined) return undefined;
    return display.replace(/\(\d+\)$/, '');
  }

  export function snapshot(nodes: ArgoNode[], now: number, cancelled: boolean): StepSnapshot {
    // The task node (type Retry when the step has retries) carries the step's overall phase.
    const task = nodes.find((node) => node.type !== 'Pod') ?? nodes.find((node) => node.type === 'Pod');
    const pods = nodes.filter((node) => node.type === 'Pod').sort((a, b) => time(a.startedAt) - time(b.startedAt));
    const podNode = pods[pods.length - 1];
    if (!task) return { state: 'pending' };
    const started = time(task.startedAt);
    const elapsedMs = started ? (time(task.finishedAt) || now) - started : undefined;
    const base = { podNode, elapsedMs };
    switch (task.phase) {
      case 'Pending':
        return { ...base, state: 'queued', elapsedMs: undefined };
      case 'Running':
        return { ...base, state: 'running' };
      case 'Succeeded':
        return task.memoizationStatus?.hit || podNode?.memoizationStatus?.hit
          ? { ...base, state: 'cached', elapsedMs: undefined, metrics: parseMetrics(task) ?? parseMetrics(podNode) }
          : { ...base, state: 'succeeded', metrics: parseMetrics(task) ?? parseMetrics(podNode) };
      case 'Failed':
      case 'Error':
        return cancelled
          ? { ...base, state: 'cancelled', reason: 'run cancelled' }
          : {
              ...base,
              state: 'failed',
              reason: oneLine(task.message ?? podNode?.message ?? task.phase),
              metrics: parseMetrics(podNode),
            };
      case 'Skipped':
      case 'Omitted':
        return { state: 'skipped', reason: oneLine(task.message ?? 'a step it depends on failed') };
      default:
        return { state: 'pending' };
    }
  }

  export function time(text: string | undefined): number {
    return text ? Date.parse(text) || 0 : 0;
  }

  export function oneLine(text: string): string {
    return text.split('\n')[0] ?? '';
  }
}
