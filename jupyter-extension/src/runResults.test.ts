import type { RunEvent } from '@cellpipe/core';
import { formatElapsed, RunResults } from './runResults';

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

describe('RunResults', () => {
  it('maps step states to the cells of each step by id', () => {
    const results = new RunResults('r1');
    results.apply(started());
    results.apply({ type: 'step-state', runId: 'r1', time, step: 'load', state: 'running', elapsedMs: 5 });
    expect(results.stepOfCell('c-b')?.state).toBe('running');
    expect(results.stepOfCell('c-c')?.state).toBe('pending');
    expect(results.stepOfCell('c-unknown')).toBeUndefined();
  });

  it('ignores events of other runs', () => {
    const results = new RunResults('r1');
    results.apply(started());
    expect(results.apply({ type: 'step-state', runId: 'r2', time, step: 'load', state: 'failed' })).toEqual([]);
    expect(results.steps.get('load')?.state).toBe('pending');
  });

  it('shows an error on the cell that raised, else on the step’s last cell', () => {
    const results = new RunResults('r1');
    results.apply(started());
    const load = results.steps.get('load')!;
    expect(results.resultCell(load)).toBe('c-b');
    results.apply({
      type: 'step-error',
      runId: 'r1',
      time,
      step: 'load',
      cellId: 'c-a',
      line: 2,
      errorType: 'ValueError',
      message: 'bad',
      traceback: 'Traceback…\nValueError: bad',
    });
    expect(results.resultCell(load)).toBe('c-a');
    expect(load.error?.errorType).toBe('ValueError');
  });

  it('keeps the latest metric value and charts only metrics logged several times', () => {
    const results = new RunResults('r1');
    results.apply(started());
    for (const [index, value] of [0.5, 0.3, 0.2].entries()) {
      results.apply({ type: 'step-metric', runId: 'r1', time, step: 'train', name: 'loss', value, index });
    }
    results.apply({ type: 'step-metric', runId: 'r1', time, step: 'train', name: 'accuracy', value: 0.9 });
    const train = results.steps.get('train')!;
    expect(train.metrics.get('loss')).toBe(0.2);
    const charts = results.charts(train);
    expect(charts.map((chart) => chart.metric)).toEqual(['loss']);
    const data = (charts[0]!.spec['data'] as { values: Record<string, number>[] }).values;
    expect(data).toEqual([
      { index: 0, loss: 0.5 },
      { index: 1, loss: 0.3 },
      { index: 2, loss: 0.2 },
    ]);
    expect(charts[0]!.spec['$schema']).toContain('vega-lite/v5');
  });

  it('takes final metrics and the run state from run-finished', () => {
    const results = new RunResults('r1');
    results.apply(started());
    const touched = results.apply({
      type: 'run-finished',
      runId: 'r1',
      time,
      state: 'succeeded',
      elapsedMs: 1200,
      metrics: { train: { accuracy: 0.95 } },
    });
    expect(touched.sort()).toEqual(['load', 'train']);
    expect(results.state).toBe('succeeded');
    expect(results.steps.get('train')?.metrics.get('accuracy')).toBe(0.95);
  });

  it('collects logs per step as plain text', () => {
    const results = new RunResults('r1');
    results.apply(started());
    results.apply({ type: 'step-log', runId: 'r1', time, step: 'load', stream: 'stdout', text: '<b>hi</b>\n' });
    expect(results.logText('load')).toBe('── load ──\n<b>hi</b>\n');
    expect(results.logText('train')).toBe('── train ──\n');
  });
});

describe('formatElapsed', () => {
  it('formats milliseconds, seconds and minutes', () => {
    expect(formatElapsed(undefined)).toBe('');
    expect(formatElapsed(250)).toBe('250 ms');
    expect(formatElapsed(1500)).toBe('1.5 s');
    expect(formatElapsed(184000)).toBe('3 m 04 s');
  });
});
