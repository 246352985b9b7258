import type { RunEvent, RunFinishedEvent } from '../events/runEvent.js';

/** How to start one run; the same options drive every backend. */
export interface RunOptions {
  notebookPath: string;
  /** Overrides for pipeline parameters, by name; every name must be declared in the notebook. */
  parameters?: Record<string, unknown>;
  /** Most steps running at once; defaults to the CPU count. */
  jobs?: number;
  /** Python executable; defaults to `CELLPIPE_PYTHON`, the active venv/conda env, then `python3`. */
  python?: string;
  /** `false` bypasses the step cache for this run (neither read nor written). */
  cache?: boolean;
  /** `false` starts every step cold instead of forking it from a warm pool (default: `CELLPIPE_WARM`, else on). */
  warm?: boolean;
  /** Aborting cancels the run, like `RunHandle.cancel()`. */
  signal?: AbortSignal;
  /** Folder holding `runs/` and `cache/`; defaults to `<notebook dir>/.cellpipe`. */
  runRoot?: string;
}

export interface RunHandle {
  runId: string;
  /** Every event of the run from the first one on, for each iteration; ends after `run-finished`. */
  events: AsyncIterable<RunEvent>;
  cancel(): void;
  done: Promise<RunFinishedEvent>;
}

/** Something that can run a notebook pipeline: local processes now, Argo Workflows later. */
export interface RunBackend {
  /** Throws `RunInputError` (or `NotebookInputError`) synchronously when the input is unusable. */
  start(options: RunOptions): RunHandle;
}

/** Bad input for a run (unknown parameter, unrunnable graph): the caller's fault, one line. */
export class RunInputError extends Error {
  override name = 'RunInputError';
}
