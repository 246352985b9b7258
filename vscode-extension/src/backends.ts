import type { RunBackend } from '@cellpipe/core/node';
import type { CellpipeConfig } from './config.js';
import { loadEngine } from './lazy.js';

/** The run engine for the configured backend; the extension never runs steps or talks to Kubernetes itself. */
export async function backendFor(config: CellpipeConfig): Promise<RunBackend> {
  const { ArgoBackend, LocalBackend } = await loadEngine();
  if (config.backend === 'argo')
    return new ArgoBackend({ context: config.kubeContext, namespace: config.namespace, image: config.defaultImage });
  return new LocalBackend();
}
