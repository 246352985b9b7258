import { RunProgress, type MetricValue, type RunEvent, type RunState, type StepState } from '@cellpipe/core';

/** The fields of a run record (`GET /cellpipe/runs/latest`) that put a run's results back on the cells. */
export interface RunRecordView {
  runId: string;
  notebook: string;
  backend?: 'local' | 'argo';
  state: RunState;
  startedAt: string;
  elapsedMs?: number;
  steps: {
    name: string;
    state: StepState;
    cells: string[];
    after?: string[];
    elapsedMs?: number;
    reason?: string;
    metrics?: Record<string, MetricValue>;
    error?: { type: string; message: string; cellId?: string; cellIndex?: number; line?: number; traceback: string };
  }[];
}

/** The events that rebuild a recorded run; fed through core's `RunProgress` like a live run's events. */
export function recordEvents(record: RunRecordView): RunEvent[] {
  const base = { runId: record.runId, time: record.startedAt };
  const events: RunEvent[] = [
    {
      ...base,
      type: 'run-started',
      notebook: record.notebook,
      backend: record.backend ?? 'local',
      steps: record.steps.map((step) => ({ name: step.name, cells: step.cells, after: step.after ?? [] })),
      parameters: {},
    },
  ];
  for (const step of record.steps) {
    for (const [name, value] of Object.entries(step.metrics ?? {}))
      events.push({ ...base, type: 'step-metric', step: step.name, name, value });
    if (step.error) {
      const { type, message, cellId, cellIndex, line, traceback } = step.error;
      events.push({
        ...base,
        type: 'step-error',
        step: step.name,
        errorType: type,
        message,
        cellId,
        cellIndex,
        line,
        traceback,
      });
    }
    events.push({
      ...base,
      type: 'step-state',
      step: step.name,
      state: step.state,
      ...(step.elapsedMs !== undefined && { elapsedMs: step.elapsedMs }),
      ...(step.reason !== undefined && { reason: step.reason }),
    });
  }
  if (record.state !== 'running')
    events.push({ ...base, type: 'run-finished', state: record.state, elapsedMs: record.elapsedMs ?? 0, metrics: {} });
  return events;
}

/** A recorded run as the model the cells are drawn from. */
export function progressFromRecord(record: RunRecordView): RunProgress {
  const progress = new RunProgress(record.runId);
  for (const event of recordEvents(record)) progress.apply(event);
  return progress;
}
