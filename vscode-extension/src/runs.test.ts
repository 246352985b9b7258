import type { RunEvent } from '@cellpipe/core';
import { formatElapsed, RunStore, stepElapsedMs } from './runs.js';

const time = '2026-11-21T00:00:00.000Z';

function started(runId: string): RunEvent {
  return {
    type: 'run-started',
    runId,
    time,
    notebook: 'nb.ipynb',
    backend: 'local',
    steps: [
      { name: 'load', cells: ['c1', 'c2'], after: [] },
      { name: 'train', cells: ['c3'], after: ['load'] },
    ],
    parameters: {},
  };
}

function newStore(): RunStore {
  const store = new RunStore();
  store.begin({ runId: 'r1', notebookUri: 'file:///nb.ipynb', notebookLabel: 'nb.ipynb', backend: 'local' }, 1000);
  store.apply(started('r1'), 1000);
  return store;
}

describe('RunStore', () => {
  it('creates every step of the run as pending from run-started', () => {
    const run = newStore().get('r1')!;
    expect([...run.steps.keys()]).toEqual(['load', 'train']);
    expect(run.steps.get('load')).toMatchObject({ state: 'pending', cells: ['c1', 'c2'] });
  });

  it('ticks a running step from the time it started and freezes it when it finishes', () => {
    const store = newStore();
    store.apply({ type: 'step-state', runId: 'r1', time, step: 'load', state: 'running', elapsedMs: 0 }, 2000);
    expect(stepElapsedMs(store.get('r1')!.steps.get('load')!, 3500)).toBe(1500);
    store.apply({ type: 'step-state', runId: 'r1', time, step: 'load', state: 'succeeded', elapsedMs: 1200 }, 3600);
    expect(stepElapsedMs(store.get('r1')!.steps.get('load')!, 9000)).toBe(1200);
  });

  it('keeps metric series in logging order and final values from run-finished', () => {
    const store = newStore();
    for (const [index, value] of [0.5, 0.7, 0.9].entries()) {
      store.apply({ type: 'step-metric', runId: 'r1', time, step: 'train', name: 'accuracy', value, index });
    }
    store.apply({
      type: 'run-finished',
      runId: 'r1',
      time,
      state: 'succeeded',
      elapsedMs: 5000,
      metrics: { train: { accuracy: 0.9 }, load: { rows: 150 } },
    });
    const run = store.get('r1')!;
    expect(run.state).toBe('succeeded');
    expect(
      run.steps
        .get('train')!
        .metrics.get('accuracy')!
        .map((entry) => entry.value),
    ).toEqual([0.5, 0.7, 0.9]);
    expect(run.steps.get('load')!.metrics.get('rows')).toEqual([{ value: 150 }]);
  });

  it('collects logs and the error of a failing step', () => {
    const store = newStore();
    store.apply({ type: 'step-log', runId: 'r1', time, step: 'train', stream: 'stdout', text: 'epoch 1\n' });
    store.apply({ type: 'step-log', runId: 'r1', time, step: 'train', stream: 'stderr', text: 'warning\n' });
    store.apply({
      type: 'step-error',
      runId: 'r1',
      time,
      step: 'train',
      cellId: 'c3',
      cellIndex: 2,
      line: 1,
      errorType: 'ZeroDivisionError',
      message: 'division by zero',
      traceback: 'Traceback ...',
    });
    const step = store.get('r1')!.steps.get('train')!;
    expect(step.log).toBe('epoch 1\nwarning\n');
    expect(step.error).toMatchObject({ cellId: 'c3', errorType: 'ZeroDivisionError' });
  });

  it('tells listeners about each change and lists the newest run first', () => {
    const store = newStore();
    const heard: string[] = [];
    store.onDidChange((run) => heard.push(run.runId));
    store.begin({ runId: 'r2', notebookUri: 'file:///nb.ipynb', notebookLabel: 'nb.ipynb', backend: 'local' }, 5000);
    store.fail('r2', 'python not found');
    expect(heard).toEqual(['r2', 'r2']);
    expect(store.latestFor('file:///nb.ipynb')?.runId).toBe('r2');
    expect(store.get('r2')).toMatchObject({ state: 'failed', error: 'python not found' });
  });

  it('ignores events of runs it does not know', () => {
    const store = newStore();
    expect(store.apply({ ...started('other') })).toBeUndefined();
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
