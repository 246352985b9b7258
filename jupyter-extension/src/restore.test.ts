import { resultCell } from '@cellpipe/core';
import { progressFromRecord, type RunRecordView } from './restore';

const record: RunRecordView = {
  runId: 'run-1',
  notebook: 'wine/wine.ipynb',
  state: 'failed',
  startedAt: '2026-11-29T18:00:00.000Z',
  elapsedMs: 4200,
  steps: [
    { name: 'load', state: 'cached', cells: ['a', 'b'], elapsedMs: 12, metrics: { rows: 178 } },
    {
      name: 'train',
      state: 'failed',
      cells: ['c', 'd'],
      elapsedMs: 900,
      error: { type: 'ValueError', message: 'bad', cellId: 'c', cellIndex: 2, line: 3, traceback: 'Traceback…' },
    },
    { name: 'report', state: 'skipped', cells: ['e'], reason: "step 'train' failed" },
  ],
};

describe('progressFromRecord', () => {
  it('puts every step back with its state, cells, metrics and error, addressed by cell id', () => {
    const progress = progressFromRecord(record);
    expect(progress.runId).toBe('run-1');
    expect(progress.state).toBe('failed');
    expect(progress.elapsedMs).toBe(4200);
    expect([...progress.steps.values()].map((step) => [step.name, step.state])).toEqual([
      ['load', 'cached'],
      ['train', 'failed'],
      ['report', 'skipped'],
    ]);
    expect(progress.stepOfCell('b')?.name).toBe('load');
    expect(progress.steps.get('load')?.metrics.get('rows')).toEqual([{ value: 178 }]);
    const train = progress.steps.get('train')!;
    expect(train.error).toMatchObject({ errorType: 'ValueError', cellId: 'c', line: 3 });
    expect(resultCell(train)).toBe('c');
    expect(progress.steps.get('report')?.reason).toBe("step 'train' failed");
  });

  it('keeps a run that is still going as running', () => {
    const progress = progressFromRecord({
      ...record,
      state: 'running',
      steps: [{ name: 'load', state: 'running', cells: ['a'] }],
    });
    expect(progress.state).toBe('running');
    expect(progress.steps.get('load')?.runningSince).toBeDefined();
  });
});
