import type { RunEvent } from './runEvent.js';
import {
  formatElapsed,
  latestMetrics,
  logText,
  metricChartSpec,
  metricCharts,
  resultCell,
  RunProgress,
  stepElapsedMs,
} from './runProgress.js';

const time = '2026-01-01T00:00:00.000Z';

function started(runId = 'r1'): RunEvent {
  return {
    type: 'run-started',
    runId,
    time,
    notebook: 'nb.ipynb',
    backend: 'local',
    parameters: {},
    steps: [
      { name: 'load', cells: ['c-a', 'c-b'], after: [] },
      { name: 'train', cells: ['c-c'], after: ['load'] },
    ],
  };
}

function startedRun(): RunProgress {
  const run = new RunProgress('r1');
  run.apply(started(), 1000);
  return run;
}

describe('RunProgress', () => {
  it('creates every step of the run as pending, in graph order, from run-started', () => {
    const run = startedRun();
    expect(run.notebook).toBe('nb.ipynb');
    expect([...run.steps.keys()]).toEqual(['load', 'train']);
    expect(run.steps.get('load')).toMatchObject({ state: 'pending', cells: ['c-a', 'c-b'], log: '' });
  });

  it('follows the run of its first event when constructed without an id', () => {
    const run = new RunProgress();
    expect(run.apply(started('r9'))).toEqual(['load', 'train']);
    expect(run.runId).toBe('r9');
    expect(run.apply({ type: 'step-state', runId: 'r8', time, step: 'load', state: 'failed' })).toEqual([]);
  });

  it('maps step states to the cells of each step by id', () => {
    const run = startedRun();
    run.apply({ type: 'step-state', runId: 'r1', time, step: 'load', state: 'running', elapsedMs: 5 });
    expect(run.stepOfCell('c-b')?.state).toBe('running');
    expect(run.stepOfCell('c-c')?.state).toBe('pending');
    expect(run.stepOfCell('c-unknown')).toBeUndefined();
  });

  it('ignores events of other runs', () => {
    const run = startedRun();
    expect(run.apply({ type: 'step-state', runId: 'r2', time, step: 'load', state: 'failed' })).toEqual([]);
    expect(run.steps.get('load')?.state).toBe('pending');
  });

  it('adds a step it has not heard of when an event names one', () => {
    const run = startedRun();
    expect(run.apply({ type: 'step-state', runId: 'r1', time, step: 'extra', state: 'queued' })).toEqual(['extra']);
    expect(run.steps.get('extra')).toMatchObject({ state: 'queued', cells: [] });
  });

  it('ticks a running step from the time it started and freezes it when it finishes', () => {
    const run = startedRun();
    run.apply({ type: 'step-state', runId: 'r1', time, step: 'load', state: 'running', elapsedMs: 0 }, 2000);
    expect(stepElapsedMs(run.steps.get('load')!, 3500)).toBe(1500);
    run.apply({ type: 'step-state', runId: 'r1', time, step: 'load', state: 'succeeded', elapsedMs: 1200 }, 3600);
    expect(run.steps.get('load')!.runningSince).toBeUndefined();
    expect(stepElapsedMs(run.steps.get('load')!, 9000)).toBe(1200);
    expect(stepElapsedMs(run.steps.get('train')!, 9000)).toBeUndefined();
  });

  it('counts the time a step already ran before it was first seen running', () => {
    const run = startedRun();
    run.apply({ type: 'step-state', runId: 'r1', time, step: 'train', state: 'running', elapsedMs: 700 }, 2000);
    expect(stepElapsedMs(run.steps.get('train')!, 2500)).toBe(1200);
  });

  it('keeps the reason of a failed or skipped step', () => {
    const run = startedRun();
    run.apply({
      type: 'step-state',
      runId: 'r1',
      time,
      step: 'train',
      state: 'skipped',
      reason: "upstream 'load' failed",
    });
    expect(run.steps.get('train')).toMatchObject({ state: 'skipped', reason: "upstream 'load' failed" });
  });

  it('shows results on the cell that raised, else on the step’s last cell', () => {
    const run = startedRun();
    const load = run.steps.get('load')!;
    expect(resultCell(load)).toBe('c-b');
    run.apply({
      type: 'step-error',
      runId: 'r1',
      time,
      step: 'load',
      cellId: 'c-a',
      cellIndex: 0,
      line: 2,
      errorType: 'ValueError',
      message: 'bad',
      traceback: 'Traceback…\nValueError: bad',
    });
    expect(resultCell(load)).toBe('c-a');
    expect(load.error).toEqual({
      cellId: 'c-a',
      cellIndex: 0,
      line: 2,
      errorType: 'ValueError',
      message: 'bad',
      traceback: 'Traceback…\nValueError: bad',
    });
    expect(resultCell({ ...load, cells: [], error: undefined })).toBeUndefined();
  });

  it('keeps metric series in logging order and adds final values from run-finished only when not logged', () => {
    const run = startedRun();
    for (const [index, value] of [0.5, 0.7, 0.9].entries()) {
      run.apply({ type: 'step-metric', runId: 'r1', time, step: 'train', name: 'accuracy', value, index });
    }
    run.apply({ type: 'step-metric', runId: 'r1', time, step: 'train', name: 'model', value: 'svm' });
    const touched = run.apply({
      type: 'run-finished',
      runId: 'r1',
      time,
      state: 'succeeded',
      elapsedMs: 5000,
      metrics: { train: { accuracy: 0.9 }, load: { rows: 150 } },
      recordPath: '/runs/r1',
    });
    expect(touched).toEqual(['load', 'train']);
    expect(run).toMatchObject({ state: 'succeeded', elapsedMs: 5000, recordPath: '/runs/r1' });
    const train = run.steps.get('train')!;
    expect(train.metrics.get('accuracy')).toEqual([
      { index: 0, value: 0.5 },
      { index: 1, value: 0.7 },
      { index: 2, value: 0.9 },
    ]);
    expect(train.metrics.get('model')).toEqual([{ value: 'svm' }]);
    expect(run.steps.get('load')!.metrics.get('rows')).toEqual([{ value: 150 }]);
    expect(latestMetrics(train)).toEqual(
      new Map<string, unknown>([
        ['accuracy', 0.9],
        ['model', 'svm'],
      ]),
    );
  });

  it('collects the logs of each step and gives them as plain text', () => {
    const run = startedRun();
    run.apply({ type: 'step-log', runId: 'r1', time, step: 'load', stream: 'stdout', text: '<b>hi</b>\n' });
    run.apply({ type: 'step-log', runId: 'r1', time, step: 'load', stream: 'stderr', text: 'warning\n' });
    expect(run.steps.get('load')!.log).toBe('<b>hi</b>\nwarning\n');
    expect(logText(run, 'load')).toBe('── load ──\n<b>hi</b>\nwarning\n');
    expect(logText(run, 'train')).toBe('── train ──\n');
    expect(logText(run, 'missing')).toBe('');
    expect(logText(run)).toBe('── load ──\n<b>hi</b>\nwarning\n\n── train ──\n');
  });
});

describe('metric charts', () => {
  it('charts only metrics with several numeric values, as Vega-Lite v5 line charts', () => {
    const run = startedRun();
    for (const [index, value] of [0.5, 0.3, 0.2].entries()) {
      run.apply({ type: 'step-metric', runId: 'r1', time, step: 'train', name: 'loss', value, index });
    }
    run.apply({ type: 'step-metric', runId: 'r1', time, step: 'train', name: 'accuracy', value: 0.9 });
    const charts = metricCharts(run.steps.get('train')!);
    expect(charts.map((chart) => chart.metric)).toEqual(['loss']);
    const spec = charts[0]!.spec;
    expect(spec['$schema']).toContain('vega-lite/v5');
    expect(spec['title']).toBe('train: loss');
    expect((spec['data'] as { values: unknown[] }).values).toEqual([
      { index: 0, loss: 0.5 },
      { index: 1, loss: 0.3 },
      { index: 2, loss: 0.2 },
    ]);
  });

  it('places points without an index at their position and skips values that are not numbers', () => {
    const spec = metricChartSpec('s', 'f1', [{ value: 0.1 }, { value: 'n/a' }, { value: 0.4 }]);
    expect((spec!['data'] as { values: unknown[] }).values).toEqual([
      { index: 0, f1: 0.1 },
      { index: 2, f1: 0.4 },
    ]);
    expect(metricChartSpec('s', 'f1', [{ value: 0.1 }, { value: true }])).toBeUndefined();
  });

  it('puts x ticks on whole numbers only when every index is whole (folds, epochs)', () => {
    const xAxis = (spec: Record<string, unknown> | undefined) =>
      (spec!['encoding'] as { x: { axis?: Record<string, unknown> } }).x.axis;
    expect(
      xAxis(
        metricChartSpec('s', 'acc', [
          { index: 1, value: 0.9 },
          { index: 2, value: 0.95 },
        ]),
      ),
    ).toEqual({
      tickMinStep: 1,
      format: 'd',
    });
    expect(
      xAxis(
        metricChartSpec('s', 'lr', [
          { index: 0.5, value: 0.1 },
          { index: 1, value: 0.2 },
        ]),
      ),
    ).toBeUndefined();
  });
});

describe('formatElapsed', () => {
  it('shows tenths of seconds under a minute and minutes with padded seconds above', () => {
    expect(formatElapsed(undefined)).toBe('');
    expect(formatElapsed(420)).toBe('0.4s');
    expect(formatElapsed(12_345)).toBe('12.3s');
    expect(formatElapsed(125_000)).toBe('2m 05s');
  });
});
