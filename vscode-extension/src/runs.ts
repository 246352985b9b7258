import type { MetricValue, RunEvent, RunState, StepState } from '@cellpipe/core';

/** What the editor knows about one step of a run, folded from its events. */
export interface StepView {
  name: string;
  cells: string[];
  state: StepState;
  elapsedMs?: number;
  /** Wall-clock time the step was last seen running, to tick the elapsed time between events. */
  runningSince?: number;
  reason?: string;
  /** Metric name → values in the order logged (a series when logged several times). */
  metrics: Map<string, { index?: number; value: MetricValue }[]>;
  log: string;
  error?: { cellId?: string; cellIndex?: number; line?: number; errorType: string; message: string; traceback: string };
}

export interface RunView {
  runId: string;
  notebookUri: string;
  notebookLabel: string;
  backend: 'local' | 'argo';
  state: RunState;
  startedAt: number;
  elapsedMs?: number;
  steps: Map<string, StepView>;
  /** A run that could not start, with the one-line reason. */
  error?: string;
}

/** Every run of this window, newest first, updated from `RunEvent`s; listeners hear about each change. */
export class RunStore {
  private readonly runs = new Map<string, RunView>();
  private readonly listeners = new Set<(run: RunView) => void>();

  get all(): RunView[] {
    return [...this.runs.values()].sort((a, b) => b.startedAt - a.startedAt);
  }

  get(runId: string): RunView | undefined {
    return this.runs.get(runId);
  }

  /** The newest run of a notebook, which the cell status bar shows. */
  latestFor(notebookUri: string): RunView | undefined {
    return this.all.find((run) => run.notebookUri === notebookUri);
  }

  onDidChange(listener: (run: RunView) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  begin(run: Pick<RunView, 'runId' | 'notebookUri' | 'notebookLabel' | 'backend'>, now = Date.now()): RunView {
    const view: RunView = { ...run, state: 'running', startedAt: now, steps: new Map() };
    this.runs.set(run.runId, view);
    this.emit(view);
    return view;
  }

  /** Marks a run that failed before its first event (bad notebook, missing Python). */
  fail(runId: string, message: string): void {
    const run = this.runs.get(runId);
    if (!run) return;
    run.state = 'failed';
    run.error = message;
    this.emit(run);
  }

  apply(event: RunEvent, now = Date.now()): RunView | undefined {
    const run = this.runs.get(event.runId);
    if (!run) return undefined;
    applyRunEvent(run, event, now);
    this.emit(run);
    return run;
  }

  private emit(run: RunView): void {
    for (const listener of this.listeners) listener(run);
  }
}

/** Folds one event into the run's view (pure apart from mutating `run`). */
export function applyRunEvent(run: RunView, event: RunEvent, now: number): void {
  switch (event.type) {
    case 'run-started':
      for (const step of event.steps) {
        run.steps.set(step.name, { name: step.name, cells: step.cells, state: 'pending', metrics: new Map(), log: '' });
      }
      break;
    case 'step-state': {
      const step = Private.step(run, event.step);
      step.state = event.state;
      step.elapsedMs = event.elapsedMs ?? step.elapsedMs;
      step.reason = event.reason ?? step.reason;
      step.runningSince = event.state === 'running' ? now - (event.elapsedMs ?? 0) : undefined;
      break;
    }
    case 'step-log':
      Private.step(run, event.step).log += event.text;
      break;
    case 'step-metric': {
      const series = Private.step(run, event.step).metrics;
      const values = series.get(event.name) ?? [];
      values.push(event.index === undefined ? { value: event.value } : { index: event.index, value: event.value });
      series.set(event.name, values);
      break;
    }
    case 'step-error': {
      const { cellId, cellIndex, line, errorType, message, traceback } = event;
      Private.step(run, event.step).error = { cellId, cellIndex, line, errorType, message, traceback };
      break;
    }
    case 'run-finished':
      run.state = event.state;
      run.elapsedMs = event.elapsedMs;
      for (const [stepName, metrics] of Object.entries(event.metrics)) {
        const step = Private.step(run, stepName);
        for (const [name, value] of Object.entries(metrics)) {
          if (!step.metrics.has(name)) step.metrics.set(name, [{ value }]);
        }
      }
      break;
  }
}

/** Elapsed time of a step as the user should see it now: ticking while it runs. */
export function stepElapsedMs(step: StepView, now: number): number | undefined {
  return step.runningSince !== undefined ? now - step.runningSince : step.elapsedMs;
}

/** `0.4s`, `12.3s`, `2m 05s`: short enough for a cell status bar. */
export function formatElapsed(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

namespace Private {
  export function step(run: RunView, name: string): StepView {
    let step = run.steps.get(name);
    if (!step) {
      step = { name, cells: [], state: 'pending', metrics: new Map(), log: '' };
      run.steps.set(name, step);
    }
    return step;
  }
}
