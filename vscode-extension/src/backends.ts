import type { LocalBackend, RunBackend } from '@cellpipe/core/node';
import type { CellpipeConfig } from './config.js';
import { loadEngine } from './lazy.js';

/**
 * The run engines for the configured backend; the extension never runs steps or talks to Kubernetes itself.
 * One local engine lives as long as the extension, so its warm Python processes serve the next run too.
 */
export class Backends {
  private local?: LocalBackend;

  async for(config: CellpipeConfig): Promise<RunBackend> {
    const { ArgoBackend, LocalBackend } = await loadEngine();
    if (config.backend === 'argo')
      return new ArgoBackend({ context: config.kubeContext, namespace: config.namespace, image: config.defaultImage });
    this.local ??= new LocalBackend({ keepWarm: true });
    return this.local;
  }

  dispose(): void {
    this.local?.close();
    this.local = undefined;
  }
}
