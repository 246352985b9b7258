import type { MetricValue, RunEvent, RunState, StepErrorEvent, StepState } from './runEvent.js';

/** One logged value of a metric; `index` is the epoch or fold when the step gave one. */
export interface MetricPoint {
  index?: number;
  value: MetricValue;
}

/** Where and why a step raised, with the traceback mapped to notebook cells. */
export type StepProgressError = Pick<
  StepErrorEvent,
  'cellId' | 'cellIndex' | 'line' | 'errorType' | 'message' | 'traceback'
>;

/** What one step of a run has reported so far. */
export interface StepProgress {
  name: string;
  /** Cell ids the step executes, from `run-started` (ids, never indexes, so edits during a run cannot misplace results). */
  cells: string[];
  state: StepState;
  elapsedMs?: number;
  /** Wall-clock time the step was last seen running, to tick the elapsed time between events. */
  runningSince?: number;
  /** Why the step failed, was skipped or cancelled, in one line. */
  reason?: string;
  /** Metric name → values in the order logged (a series when logged several times). */
  metrics: Map<string, MetricPoint[]>;
  /** stdout and stderr as they arrived. */
  log: string;
  error?: StepProgressError;
}

/**
 * One run folded from its `RunEvent`s: the model every front end (CLI table, JupyterLab, VS Code) draws from.
 * Pure apart from mutating itself, and browser-safe.
 */
export class RunProgress {
  /** The run followed; when none was given, the run of the first event applied. */
  runId: string;
  notebook = '';
  state: RunState = 'running';
  elapsedMs?: number;
  recordPath?: string;
  /** Steps in graph order, as `run-started` listed them. */
  readonly steps = new Map<string, StepProgress>();

  constructor(runId = '') {
    this.runId = runId;
  }

  /** Applies one event (events of other runs are ignored) and returns the names of the steps it touched. */
  apply(event: RunEvent, now = Date.now()): string[] {
    if (this.runId === '') this.runId = event.runId;
    if (event.runId !== this.runId) return [];
    switch (event.type) {
      case 'run-started':
        this.notebook = event.notebook;
        for (const step of event.steps) this.steps.set(step.name, Private.emptyStep(step.name, step.cells));
        return event.steps.map((step) => step.name);
      case 'step-state': {
        const step = this.step(event.step);
        step.state = event.state;
        step.elapsedMs = event.elapsedMs ?? step.elapsedMs;
        step.reason = event.reason ?? step.reason;
        step.runningSince = event.state === 'running' ? now - (event.elapsedMs ?? 0) : undefined;
        return [event.step];
      }
      case 'step-log':
        this.step(event.step).log += event.text;
        return [event.step];
      case 'step-metric': {
        const metrics = this.step(event.step).metrics;
        const points = metrics.get(event.name) ?? [];
        points.push(event.index === undefined ? { value: event.value } : { index: event.index, value: event.value });
        metrics.set(event.name, points);
        return [event.step];
      }
      case 'step-error': {
        const { cellId, cellIndex, line, errorType, message, traceback } = event;
        this.step(event.step).error = { cellId, cellIndex, line, errorType, message, traceback };
        return [event.step];
      }
      case 'run-finished':
        this.state = event.state;
        this.elapsedMs = event.elapsedMs;
        this.recordPath = event.recordPath;
        for (const [stepName, values] of Object.entries(event.metrics)) {
          const step = this.step(stepName);
          for (const [name, value] of Object.entries(values)) {
            if (!step.metrics.has(name)) step.metrics.set(name, [{ value }]);
          }
        }
        return [...this.steps.keys()];
    }
  }

  /** The step that runs a cell, looked up by cell id. */
  stepOfCell(cellId: string): StepProgress | undefined {
    for (const step of this.steps.values()) if (step.cells.includes(cellId)) return step;
    return undefined;
  }

  private step(name: string): StepProgress {
    let step = this.steps.get(name);
    if (!step) {
      step = Private.emptyStep(name, []);
      this.steps.set(name, step);
    }
    return step;
  }
}

/** Cell that should show a step's results: the cell that raised, else the step's last cell. */
export function resultCell(step: StepProgress): string | undefined {
  return step.error?.cellId ?? step.cells[step.cells.length - 1];
}

/** Elapsed time of a step as the user should see it now: ticking while it runs. */
export function stepElapsedMs(step: StepProgress, now: number): number | undefined {
  return step.runningSince !== undefined ? now - step.runningSince : step.elapsedMs;
}

/** The last value logged of each metric of a step. */
export function latestMetrics(step: StepProgress): Map<string, MetricValue> {
  const latest = new Map<string, MetricValue>();
  for (const [name, points] of step.metrics) {
    const last = points[points.length - 1];
    if (last) latest.set(name, last.value);
  }
  return latest;
}

/** `0.4s`, `12.3s`, `2m 05s`: short enough for a chip or a status bar. */
export function formatElapsed(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

/**
 * A Vega-Lite v5 line chart of a metric series, or undefined when fewer than two of its values are numbers.
 * Points without an index are placed at their position in the series.
 */
export function metricChartSpec(
  stepName: string,
  metric: string,
  points: readonly MetricPoint[],
): Record<string, unknown> | undefined {
  const values = points.flatMap((point, position) =>
    typeof point.value === 'number' ? [{ index: point.index ?? position, [metric]: point.value }] : [],
  );
  if (values.length < 2) return undefined;
  // Epochs and folds are whole numbers: ticks at 0.5 would read as positions that do not exist.
  const wholeIndexes = values.every((value) => Number.isInteger(value.index));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `${stepName}: ${metric}`,
    width: 260,
    height: 120,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'index',
        type: 'quantitative',
        title: 'index',
        ...(wholeIndexes && { axis: { tickMinStep: 1, format: 'd' } }),
      },
      y: { field: metric, type: 'quantitative', title: metric },
    },
  };
}

/** Charts of every metric of a step logged as a numeric series, one per metric. */
export function metricCharts(step: StepProgress): { metric: string; spec: Record<string, unknown> }[] {
  return [...step.metrics].flatMap(([metric, points]) => {
    const spec = metricChartSpec(step.name, metric, points);
    return spec ? [{ metric, spec }] : [];
  });
}

/** The log of one step, or of every step, as plain text under a `── step ──` heading each. */
export function logText(run: RunProgress, stepName?: string): string {
  const steps =
    stepName === undefined ? [...run.steps.values()] : [run.steps.get(stepName)].filter((step) => step !== undefined);
  return steps.map((step) => `── ${step.name} ──\n${step.log}`).join('\n');
}

namespace Private {
  export function emptyStep(name: string, cells: string[]): StepProgress {
    return { name, cells: [...cells], state: 'pending', metrics: new Map(), log: '' };
  }
}
