import type { LocalBackend, RunBackend } from '@cellpipe/core/node';
import type { CellpipeConfig } from './config.js';
import { loadEngine } from './lazy.js';

/** One local engine for the window: its warm step pools live from one run to the next. */
let localBackend: LocalBackend | undefined;

/** The run engine for the configured backend; the extension never runs steps itself. */
export async function backendFor(config: CellpipeConfig): Promise<RunBackend> {
  if (config.backend === 'argo') {
    throw new Error(
      "cellpipe: the 'argo' backend is not available yet in the editor; set cellpipe.backend to 'local' to run on this machine",
    );
  }
  const { LocalBackend } = await loadEngine();
  localBackend ??= new LocalBackend({ keepWarm: true });
  return localBackend;
}
