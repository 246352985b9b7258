import type { MetricValue, RunEvent, RunState, StepState } from '@cellpipe/core';

/** What one step of a run has reported so far. */
export interface StepResult {
  step: string;
  /** Cell ids the step executes, from `run-started` (ids, never indexes, so edits during a run cannot misplace results). */
  cells: string[];
  state: StepState;
  elapsedMs?: number;
  reason?: string;
  /** Latest value of each metric. */
  metrics: Map<string, MetricValue>;
  /** Every numeric value of each metric, in order, for metrics logged more than once. */
  series: Map<string, { index: number; value: number }[]>;
  error?: { cellId?: string; line?: number; errorType: string; message: string; traceback: string };
  logs: { stream: 'stdout' | 'stderr'; text: string }[];
}

/** Folds a run's `RunEvent`s into per-step and per-cell results; pure, so the mapping is unit-tested. */
export class RunResults {
  readonly runId: string;
  state: RunState = 'running';
  elapsedMs?: number;
  notebook = '';
  readonly steps = new Map<string, StepResult>();

  constructor(runId: string) {
    this.runId = runId;
  }

  /** Applies one event; events of other runs are ignored. Returns the steps it touched. */
  apply(event: RunEvent): string[] {
    if (event.runId !== this.runId) return [];
    switch (event.type) {
      case 'run-started':
        this.notebook = event.notebook;
        for (const step of event.steps) this.steps.set(step.name, Private.emptyStep(step.name, step.cells));
        return event.steps.map((step) => step.name);
      case 'step-state': {
        const step = this.step(event.step);
        step.state = event.state;
        if (event.elapsedMs !== undefined) step.elapsedMs = event.elapsedMs;
        if (event.reason !== undefined) step.reason = event.reason;
        return [event.step];
      }
      case 'step-log':
        this.step(event.step).logs.push({ stream: event.stream, text: event.text });
        return [event.step];
      case 'step-metric': {
        const step = this.step(event.step);
        step.metrics.set(event.name, event.value);
        if (typeof event.value === 'number') {
          const points = step.series.get(event.name) ?? [];
          points.push({ index: event.index ?? points.length, value: event.value });
          step.series.set(event.name, points);
        }
        return [event.step];
      }
      case 'step-error':
        this.step(event.step).error = {
          cellId: event.cellId,
          line: event.line,
          errorType: event.errorType,
          message: event.message,
          traceback: event.traceback,
        };
        return [event.step];
      case 'run-finished': {
        this.state = event.state;
        this.elapsedMs = event.elapsedMs;
        for (const [stepName, values] of Object.entries(event.metrics)) {
          const step = this.step(stepName);
          for (const [name, value] of Object.entries(values)) step.metrics.set(name, value);
        }
        return [...this.steps.keys()];
      }
    }
  }

  /** The step that runs a cell, looked up by cell id. */
  stepOfCell(cellId: string): StepResult | undefined {
    for (const step of this.steps.values()) if (step.cells.includes(cellId)) return step;
    return undefined;
  }

  /** Cell that should show a step's results: the cell that raised, else the step's last cell. */
  resultCell(step: StepResult): string | undefined {
    return step.error?.cellId ?? step.cells[step.cells.length - 1];
  }

  /** Metrics with more than one value, as Vega-Lite v5 line charts (one per metric). */
  charts(step: StepResult): { metric: string; spec: Record<string, unknown> }[] {
    return [...step.series.entries()]
      .filter(([, points]) => points.length > 1)
      .map(([metric, points]) => ({
        metric,
        spec: {
          $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
          title: `${step.step}: ${metric}`,
          width: 260,
          height: 120,
          data: { values: points.map((point) => ({ index: point.index, [metric]: point.value })) },
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'index', type: 'quantitative', title: 'index' },
            y: { field: metric, type: 'quantitative', title: metric },
          },
        },
      }));
  }

  /** All log lines of a step (or of every step) as plain text. */
  logText(stepName?: string): string {
    const steps = stepName ? [this.steps.get(stepName)].filter((step) => step !== undefined) : [...this.steps.values()];
    return steps.map((step) => `── ${step.step} ──\n${step.logs.map((line) => line.text).join('')}`).join('\n');
  }

  private step(name: string): StepResult {
    let step = this.steps.get(name);
    if (!step) {
      step = Private.emptyStep(name, []);
      this.steps.set(name, step);
    }
    return step;
  }
}

/** `1.2 s`, `3 m 04 s`: compact elapsed time for chips. */
export function formatElapsed(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} m ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
}

namespace Private {
  export function emptyStep(step: string, cells: string[]): StepResult {
    return { step, cells: [...cells], state: 'pending', metrics: new Map(), series: new Map(), logs: [] };
  }
}
