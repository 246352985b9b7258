/**
 * The one event stream every front end consumes: the CLI table, `--json` NDJSON,
 * the JupyterLab panel (through the server extension) and the VS Code extension.
 */

export type StepState = 'pending' | 'queued' | 'running' | 'cached' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

/** `interrupted`: the engine itself stopped (killed, crashed) before the run finished; only run records say it. */
export type RunState = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export type MetricValue = number | string | boolean;

interface EventBase {
  runId: string;
  /** ISO 8601 time the event was emitted. */
  time: string;
}

export interface RunStartedEvent extends EventBase {
  type: 'run-started';
  notebook: string;
  backend: 'local' | 'argo';
  steps: { name: string; cells: string[]; after: string[] }[];
  parameters: Record<string, unknown>;
}

export interface StepStateEvent extends EventBase {
  type: 'step-state';
  step: string;
  state: StepState;
  /** Milliseconds since the step started running; present once it has. */
  elapsedMs?: number;
  /** Why a step failed, was skipped or cancelled, in one line. */
  reason?: string;
}

export interface StepLogEvent extends EventBase {
  type: 'step-log';
  step: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface StepMetricEvent extends EventBase {
  type: 'step-metric';
  step: string;
  name: string;
  value: MetricValue;
  /** Position in a series (epoch, fold) when a metric is logged several times. */
  index?: number;
}

export interface StepErrorEvent extends EventBase {
  type: 'step-error';
  step: string;
  /** Cell that raised, when the traceback maps to one. */
  cellId?: string;
  cellIndex?: number;
  /** 1-based line within that cell. */
  line?: number;
  errorType: string;
  message: string;
  /** Traceback with frames mapped to notebook cells. */
  traceback: string;
}

export interface RunFinishedEvent extends EventBase {
  type: 'run-finished';
  state: RunState;
  elapsedMs: number;
  /** Final metric values per step. */
  metrics: Record<string, Record<string, MetricValue>>;
  /** Where the run record lives, for local runs. */
  recordPath?: string;
  /** Why the run failed when no step says why (e.g. the cluster refused it), in one line. */
  reason?: string;
}

export type RunEvent =
  RunStartedEvent | StepStateEvent | StepLogEvent | StepMetricEvent | StepErrorEvent | RunFinishedEvent;
