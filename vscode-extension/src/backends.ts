import { LocalBackend, type RunBackend } from '@cellpipe/core/node';
import type { CellpipeConfig } from './config.js';

/** The run engine for the configured backend; the extension never runs steps itself. */
export function backendFor(config: CellpipeConfig): RunBackend {
  if (config.backend === 'argo') {
    throw new Error(
      "cellpipe: the 'argo' backend is not available yet in the editor; set cellpipe.backend to 'local' to run on this machine",
    );
  }
  return new LocalBackend();
}
