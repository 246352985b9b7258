import { ClusterError } from './errors.js';
import type { KubeApi } from './kube.js';
import type { ArgoWorkflow } from './nodes.js';

export interface WorkflowWatchOptions {
  /** Server-side end of each watch request; the watch then resumes from the last resourceVersion. */
  timeoutSeconds?: number;
  /** Start watching from this resourceVersion instead of listing first (a resumed observer). */
  resourceVersion?: string;
  /** Wait before reconnecting after a network failure. */
  retryDelayMs?: number;
  /** Network failures in a row before giving up. */
  maxFailures?: number;
}

/**
 * Follows one Workflow the way an informer does: list, then watch from the list's resourceVersion;
 * after a dropped connection, watch again from the last resourceVersion seen; after `410 Gone`, list again.
 */
export class WorkflowWatch {
  /** Watch requests re-opened after the previous one ended (drops and server timeouts). */
  resumes = 0;
  /** Lists after the server answered 410 Gone. */
  relists = 0;
  private stopped = false;
  private current?: { abort(): void };
  private resourceVersion?: string;

  constructor(
    private readonly kube: KubeApi,
    private readonly name: string,
    private readonly onWorkflow: (workflow: ArgoWorkflow) => void,
    private readonly options: WorkflowWatchOptions = {},
  ) {
    this.resourceVersion = options.resourceVersion;
  }

  /** Resolves when `stop()` is called or the Workflow is deleted; rejects with a `ClusterError` it cannot recover from. */
  async run(): Promise<void> {
    let failures = 0;
    if (this.resourceVersion === undefined) await this.list();
    while (!this.stopped) {
      let gone = false;
      let deleted = false;
      let streamError: ClusterError | undefined;
      const connection = await this.kube.watchWorkflow(
        this.name,
        this.resourceVersion ?? '',
        this.options.timeoutSeconds ?? 300,
        (type, object) => {
          if (type === 'ERROR') {
            const status = object as { code?: number; message?: string };
            if (status.code === 410) gone = true;
            else streamError = new ClusterError(`watching workflow '${this.name}': ${status.message ?? 'error'}`);
            return;
          }
          const workflow = object as ArgoWorkflow;
          if (workflow.metadata?.resourceVersion) this.resourceVersion = workflow.metadata.resourceVersion;
          if (type === 'BOOKMARK') return;
          if (type === 'DELETED') {
            deleted = true;
            return;
          }
          failures = 0;
          this.onWorkflow(workflow);
        },
      );
      this.current = connection;
      const error = await connection.closed;
      this.current = undefined;
      if (this.stopped) return;
      if (deleted) throw new ClusterError(`workflow '${this.name}' was deleted while cellpipe was following it`);
      if (gone || (error instanceof ClusterError && error.status === 410)) {
        this.relists++;
        await this.list();
        continue;
      }
      const failure = streamError ?? error;
      if (failure) {
        if (failure instanceof ClusterError && failure.status !== undefined && failure.status < 500) throw failure;
        if (++failures >= (this.options.maxFailures ?? 30)) throw failure;
        await delay(this.options.retryDelayMs ?? 1000);
      }
      this.resumes++;
    }
  }

  stop(): void {
    this.stopped = true;
    this.current?.abort();
  }

  private async list(): Promise<void> {
    const list = await this.kube.listWorkflow(this.name);
    this.resourceVersion = list.resourceVersion;
    const workflow = list.items[0];
    if (!workflow)
      throw new ClusterError(`workflow '${this.name}' not found in namespace '${this.kube.namespace}'`, 404);
    this.onWorkflow(workflow);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
