import type * as vscode from 'vscode';
import { runBadge } from './badges.js';
import { readConfig } from './config.js';
import { isRevealStepMessage } from './graphModel.js';
import { metricsOutput, metricsText } from './metricsOutput.js';
import type { StepView } from './runs.js';

function configuration(values: Record<string, unknown>): Pick<vscode.WorkspaceConfiguration, 'get'> {
  return {
    get: <T>(key: string, fallback?: T): T => (key in values ? (values[key] as T) : (fallback as T)),
  } as Pick<vscode.WorkspaceConfiguration, 'get'>;
}

function step(overrides: Partial<StepView> = {}): StepView {
  return { name: 'train', cells: ['c1'], state: 'pending', metrics: new Map(), log: '', ...overrides };
}

describe('settings', () => {
  it('falls back to the manifest defaults', () => {
    expect(readConfig(configuration({}))).toEqual({
      backend: 'local',
      pythonPath: '',
      parallelism: 0,
      kubeContext: '',
      namespace: '',
      defaultImage: '',
    });
  });

  it('keeps only known backends and whole non-negative parallelism', () => {
    const config = readConfig(configuration({ backend: 'argo', parallelism: 2.7, pythonPath: ' /usr/bin/python3 ' }));
    expect(config).toMatchObject({ backend: 'argo', parallelism: 2, pythonPath: '/usr/bin/python3' });
    expect(readConfig(configuration({ backend: 'slurm', parallelism: -3 }))).toMatchObject({
      backend: 'local',
      parallelism: 0,
    });
  });
});

describe('cell state badge', () => {
  it('ticks the elapsed time of a running step', () => {
    expect(runBadge(step({ state: 'running', runningSince: 1000 }), 3500).text).toBe('$(sync~spin) running 2.5s');
  });

  it('shows the final time and the reason of a failure', () => {
    const badge = runBadge(step({ state: 'failed', elapsedMs: 400, reason: 'ZeroDivisionError' }), 9999);
    expect(badge).toEqual({ text: '$(error) failed 0.4s', tooltip: 'train: failed (ZeroDivisionError)' });
  });
});

describe('metrics output', () => {
  it('carries every value of a series and a one-line text fallback per metric', () => {
    const data = metricsOutput(
      'r1',
      step({
        metrics: new Map([
          [
            'loss',
            [
              { index: 0, value: 0.9 },
              { index: 1, value: 0.4 },
            ],
          ],
          ['model', [{ value: 'tree' }]],
        ]),
      }),
    );
    expect(data.metrics).toEqual([
      {
        name: 'loss',
        values: [
          { index: 0, value: 0.9 },
          { index: 1, value: 0.4 },
        ],
      },
      { name: 'model', values: [{ value: 'tree' }] },
    ]);
    expect(metricsText(data)).toBe('train loss = 0.4 (2 values)\ntrain model = tree');
  });
});

describe('graph webview messages', () => {
  it('accepts only well-formed reveal requests', () => {
    expect(isRevealStepMessage({ type: 'reveal-step', step: 'train' })).toBe(true);
    expect(isRevealStepMessage({ type: 'reveal-step', step: 3 })).toBe(false);
    expect(isRevealStepMessage({ type: 'other' })).toBe(false);
    expect(isRevealStepMessage(undefined)).toBe(false);
  });
});
