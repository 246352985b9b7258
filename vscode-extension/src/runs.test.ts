import { jest } from '@jest/globals';
import type { RunEvent } from '@cellpipe/core';
import { RunStore } from './runs.js';
import { RunTicker } from './ticker.js';

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
  it('folds each run’s events into core’s model of it, beside where the editor started it', () => {
    const store = newStore();
    store.apply({ type: 'step-state', runId: 'r1', time, step: 'load', state: 'running', elapsedMs: 0 }, 2000);
    const run = store.get('r1')!;
    expect(run).toMatchObject({ notebookLabel: 'nb.ipynb', backend: 'local', startedAt: 1000, state: 'running' });
    expect([...run.steps.keys()]).toEqual(['load', 'train']);
    expect(run.stepOfCell('c2')).toMatchObject({ name: 'load', state: 'running', runningSince: 2000 });
  });

  it('tells listeners about each change and lists the newest run first', () => {
    const store = newStore();
    const heard: string[] = [];
    store.onDidChange((run) => heard.push(run.runId));
    store.begin({ runId: 'r2', notebookUri: 'file:///nb.ipynb', notebookLabel: 'nb.ipynb', backend: 'local' }, 5000);
    store.fail('r2', 'python not found');
    store.apply({ type: 'step-log', runId: 'r1', time, step: 'load', stream: 'stdout', text: 'x' });
    expect(heard).toEqual(['r2', 'r2', 'r1']);
    expect(store.all.map((run) => run.runId)).toEqual(['r2', 'r1']);
    expect(store.latestFor('file:///nb.ipynb')?.runId).toBe('r2');
    expect(store.get('r2')).toMatchObject({ state: 'failed', error: 'python not found' });
  });

  it('ignores events of runs it does not know', () => {
    const store = newStore();
    expect(store.apply({ ...started('other') })).toBeUndefined();
  });

  it('is running while any of its runs is', () => {
    const store = newStore();
    expect(store.running).toBe(true);
    store.apply({ type: 'run-finished', runId: 'r1', time, state: 'succeeded', elapsedMs: 10, metrics: {} });
    expect(store.running).toBe(false);
  });
});

describe('RunTicker', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('ticks every second while a run is going and stops when none is', () => {
    const store = newStore();
    const onTick = jest.fn();
    const ticker = new RunTicker({ runs: store, onTick });
    ticker.update();
    jest.advanceTimersByTime(3000);
    expect(onTick).toHaveBeenCalledTimes(3);
    store.apply({ type: 'run-finished', runId: 'r1', time, state: 'failed', elapsedMs: 10, metrics: {} });
    ticker.update();
    jest.advanceTimersByTime(3000);
    expect(onTick).toHaveBeenCalledTimes(3);
    ticker.dispose();
  });

  it('starts one timer however often it is updated, and disposing stops it', () => {
    const store = newStore();
    const onTick = jest.fn();
    const ticker = new RunTicker({ runs: store, onTick });
    ticker.update();
    ticker.update();
    jest.advanceTimersByTime(1000);
    expect(onTick).toHaveBeenCalledTimes(1);
    ticker.dispose();
    jest.advanceTimersByTime(5000);
    expect(onTick).toHaveBeenCalledTimes(1);
  });
});
