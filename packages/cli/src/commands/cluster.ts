import { ArgoBackend, type ArgoBackendOptions } from '@cellpipe/core/node';
import type { CommandIO } from '../command.js';
import { runOutput } from './run.js';

/** `--context` and `--namespace`, shared by every command that talks to the cluster. */
export const CLUSTER_OPTIONS = {
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
} as const;

export const CLUSTER_USAGE = `      --context NAME          kubeconfig context (default: the current one; KUBECONFIG, ~/.kube/config or in-cluster)
  -n, --namespace NAME        namespace of the Workflows (default: the context's namespace, then 'default')`;

export function clusterBackend(
  values: { context?: string; namespace?: string },
  options: Omit<ArgoBackendOptions, 'context' | 'namespace'> = {},
): ArgoBackend {
  return new ArgoBackend({ context: values.context, namespace: values.namespace, ...options });
}

/** A cluster problem (unreachable, RBAC, no Argo...) is one line and exit code 1; anything else propagates. */
export async function reportClusterErrors(io: CommandIO, action: () => Promise<number>): Promise<number> {
  try {
    return await action();
  } catch (error) {
    if ((error as Error).name !== 'ClusterError') throw error;
    io.stderr.write(`cellpipe: ${(error as Error).message}\n`);
    return 1;
  }
}

/** Follows a cluster run with the same output as `cellpipe run`; the exit code is the run's result. */
export async function watchClusterRun(
  io: CommandIO,
  backend: ArgoBackend,
  runId: string,
  started: Parameters<ArgoBackend['attach']>[1],
  view: { json?: boolean; logs?: boolean; title: string },
): Promise<number> {
  const handle = await backend.attach(runId, started, io.signal);
  const output = await runOutput(io, view);
  for await (const event of handle.events) output.event(event);
  const finished = await handle.done;
  output.end();
  if (finished.state === 'succeeded') return 0;
  return finished.state === 'cancelled' ? 130 : 1;
}
