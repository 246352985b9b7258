import type { RunEvent } from '@cellpipe/core';
import { formatTable, LogPrefixer, RunView } from './runView.js';

const base = { runId: 'r1', time: '2026-01-01T00:00:00.000Z' };

describe('RunView', () => {
  it('folds events into a step table with live elapsed times', () => {
    const view = new RunView();
    const events: RunEvent[] = [
      {
        ...base,
        type: 'run-started',
        notebook: '/nb.ipynb',
        backend: 'local',
        parameters: {},
        steps: [
          { name: 'load', cells: ['a'], after: [] },
          { name: 'train', cells: ['b'], after: ['load'] },
        ],
      },
      { ...base, type: 'step-state', step: 'load', state: 'cached' },
      { ...base, type: 'step-state', step: 'train', state: 'running', elapsedMs: 0 },
    ];
    for (const event of events) view.apply(event, 1_000);
    expect(view.table(3_500)).toBe(['STEP   STATE    ELAPSED', 'load   cached', 'train  running  2.50s'].join('\n'));
    view.apply({
      ...base,
      type: 'step-state',
      step: 'train',
      state: 'failed',
      elapsedMs: 12_345,
      reason: 'ValueError: x',
    });
    expect(view.table(99_000).split('\n')[2]).toBe('train  failed  12.3s    ValueError: x');
  });

  it('prints one line per state change and the run summary', () => {
    expect(RunView.line({ ...base, type: 'step-state', step: 's', state: 'succeeded', elapsedMs: 410 })).toBe(
      's: succeeded (0.41s)',
    );
    expect(
      RunView.line({ ...base, type: 'step-state', step: 's', state: 'skipped', reason: "upstream step 'x' failed" }),
    ).toBe("s: skipped: upstream step 'x' failed");
    expect(RunView.line({ ...base, type: 'step-log', step: 's', stream: 'stdout', text: 'x' })).toBeUndefined();
  });

  it('shows a metric logged several times as its series', () => {
    const view = new RunView();
    const losses = [0.9, 0.5, 0.25, 0.2, 0.15, 0.12, 0.1, 0.09, 0.08];
    losses.forEach((value, index) =>
      view.apply({ ...base, type: 'step-metric', step: 'train', name: 'loss', value, index }),
    );
    view.apply({ ...base, type: 'step-metric', step: 'train', name: 'folds', value: 0.5, index: 0 });
    view.apply({ ...base, type: 'step-metric', step: 'train', name: 'folds', value: 0.75, index: 1 });
    view.apply({
      ...base,
      type: 'run-finished',
      state: 'succeeded',
      elapsedMs: 1,
      metrics: { train: { loss: 0.08, folds: 0.75, accuracy: 0.9 } },
    });
    expect(view.metricsTable()).toBe(
      [
        'STEP   METRIC    VALUE',
        'train  loss      0.9, 0.5, 0.25, …, 0.1, 0.09, 0.08 (9 values)',
        'train  folds     0.5, 0.75 (2 values)',
        'train  accuracy  0.9',
      ].join('\n'),
    );
  });

  it('reports metrics and failed steps with their notebook cell', () => {
    const view = new RunView();
    view.apply({
      ...base,
      type: 'step-error',
      step: 'train',
      cellId: 'abc',
      cellIndex: 4,
      line: 2,
      errorType: 'KeyError',
      message: "'col'",
      traceback: "Traceback (most recent call last):\n  Cell 4, line 2\nKeyError: 'col'\n",
    });
    view.apply({
      ...base,
      type: 'run-finished',
      state: 'failed',
      elapsedMs: 1,
      metrics: { load: {}, eval: { accuracy: 0.912345678, best: true } },
    });
    expect(view.metricsTable()).toBe(
      ['STEP  METRIC    VALUE', 'eval  accuracy  0.912346', 'eval  best      true'].join('\n'),
    );
    expect(view.errorReport()).toBe(
      "step 'train' failed: KeyError: 'col'\n  in cell 5 (id abc), line 2\nTraceback (most recent call last):\n  Cell 4, line 2\nKeyError: 'col'\n",
    );
  });
});

describe('LogPrefixer', () => {
  it('prefixes whole lines per step and stream, however the text was chunked', () => {
    const prefixer = new LogPrefixer();
    expect(prefixer.push('a', 'stdout', 'hel')).toEqual([]);
    expect(prefixer.push('b', 'stdout', 'one\ntw')).toEqual(['b | one']);
    expect(prefixer.push('a', 'stdout', 'lo\nworld\n')).toEqual(['a | hello', 'a | world']);
    expect(prefixer.flush()).toEqual(['b | tw']);
  });
});

describe('formatTable', () => {
  it('aligns columns and trims trailing blanks', () => {
    expect(
      formatTable(
        ['A', 'LONG'],
        [
          ['xyz', ''],
          ['', 'v'],
        ],
      ),
    ).toBe('A    LONG\nxyz\n     v');
  });
});
