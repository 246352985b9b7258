import type { RunBackend } from '@cellpipe/core/node';
import type { CellpipeConfig } from './config.js';
import { loadEngine } from './lazy.js';

/** The run engine for the configured backend; the extension never runs steps itself. */
export async function backendFor(config: CellpipeConfig): Promise<RunBackend> {
  if (config.backend === 'argo') {
    throw new Error(
      "cellpipe: the 'argo' backend is not available yet in the editor; set cellpipe.backend to 'local' to run on this machine",
    );
  }
  const { LocalBackend } = await loadEngine();
  return new LocalBackend();
}
