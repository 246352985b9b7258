/**
 * The `cellpipe serve --stdio` protocol: newline-delimited JSON both ways, for hosts that cannot embed
 * Node (the Jupyter server extension). Requests carry an `id`; each gets exactly one response with the same
 * `id`; run events arrive between responses as `{"event": RunEvent}` lines.
 */
import type { RunEvent } from '../events/runEvent.js';
import type { RunRecord } from '../run/local/record.js';

export type RequestId = number | string;

export interface RunParams {
  notebookPath: string;
  parameters?: Record<string, unknown>;
  jobs?: number;
  python?: string;
  cache?: boolean;
  /** `false` starts every step cold; the engine keeps warm pools between runs otherwise. */
  warm?: boolean;
  /** `argo` submits the run to Argo Workflows through the kubeconfig's cluster; default `local`. */
  backend?: 'local' | 'argo';
  /** For `argo`: kubeconfig context, namespace and the default step image. */
  context?: string;
  namespace?: string;
  image?: string;
}

export interface EngineMethods {
  /** Starts a run (local, or on the cluster with `backend: 'argo'`); its events follow as `{"event": …}` lines until `run-finished`. */
  run: { params: RunParams; result: { runId: string } };
  /** Cancels a run this engine started; `cancelled` is false when it had already finished or is unknown. */
  cancel: { params: { runId: string }; result: { cancelled: boolean } };
  /** Past run records of a notebook, newest first. */
  runs: { params: { notebookPath: string }; result: { runs: RunRecord[] } };
  /** The pipeline graph, as `cellpipe graph --json` prints it; `notebook` (nbformat JSON text) overrides reading the file, for unsaved editor content. */
  analyze: { params: { notebookPath: string; notebook?: string }; result: unknown };
  /** Compiled workflow text (YAML) for a target; `notebook` as for `analyze`. */
  compile: {
    params: { notebookPath: string; notebook?: string; target: 'argo' | 'kfp'; options?: Record<string, unknown> };
    result: { target: string; text: string };
  };
}

export type EngineMethod = keyof EngineMethods;

export type EngineRequest = {
  [M in EngineMethod]: { id: RequestId; method: M; params: EngineMethods[M]['params'] };
}[EngineMethod];

export interface EngineError {
  /** One line. */
  message: string;
  /** `input`: the request or the notebook is bad (the CLI's exit code 2); `internal`: cellpipe failed. */
  kind: 'input' | 'internal';
}

export type EngineResponse = { id: RequestId | null; result: unknown } | { id: RequestId | null; error: EngineError };

export interface EngineEventMessage {
  event: RunEvent;
}

/** Every line the engine writes on stdout. */
export type EngineMessage = EngineResponse | EngineEventMessage;
