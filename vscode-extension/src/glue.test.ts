import type * as vscode from 'vscode';
import type { MetricPoint } from '@cellpipe/core';
import { runBadge } from './badges.js';
import { readConfig } from './config.js';
import { isRevealStepMessage } from './graphModel.js';
import { metricChartSvg } from './metricChart.js';
import { markdownText, metricsMarkdown, metricsSummary } from './stepResults.js';
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
      warmSteps: true,
      cache: true,
      kubeContext: '',
      namespace: '',
      defaultImage: '',
    });
    expect(readConfig(configuration({ warmSteps: false })).warmSteps).toBe(false);
    expect(readConfig(configuration({ cache: false })).cache).toBe(false);
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

describe('metrics on the cell status bar', () => {
  const series = (values: number[]): MetricPoint[] => values.map((value, index) => ({ index: index + 1, value }));

  it('names the first metric and how many more, and keeps each series with a chart', () => {
    const summary = metricsSummary(
      step({
        metrics: new Map([
          ['accuracy', series([0.9, 0.95, 0.963])],
          ['model', [{ value: 'tree' }]],
        ]),
      }),
    );
    expect(summary?.text).toBe('$(graph) accuracy 0.963 +1');
    expect(summary?.metrics[0]).toMatchObject({
      name: 'accuracy',
      last: 0.963,
      series: '0.9 → 0.95 → 0.963 (3 values)',
    });
    expect(summary?.metrics[0]?.chartSvg).toContain('<svg');
    expect(summary?.metrics[1]).toEqual({ name: 'model', last: 'tree' });
    expect(metricsSummary(step({}))).toBeUndefined();
  });

  it('draws charts with labelled axes, so a small change does not look like a jump from zero', () => {
    const svg = metricChartSvg(series([0.963, 1.0]))!;
    const labels = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]);
    expect(labels).toEqual(['1', '0.963', '1', '2']);
    expect(svg).toMatch(/<path d="M48 8V/);
    expect(metricChartSvg([{ value: 1 }])).toBeUndefined();
    expect(metricChartSvg([{ value: 'a' }, { value: 'b' }])).toBeUndefined();
  });
});

describe('step metrics document', () => {
  it('keeps names from the notebook as text, never markup', () => {
    expect(markdownText('<img src=x> *bold* [link](y)')).toBe('&#60;img src=x&#62; \\*bold\\* \\[link\\]\\(y\\)');
    const text = metricsMarkdown('r1', step({ metrics: new Map([['loss <b>', [{ value: 0.5 }, { value: 0.25 }]]]) }));
    expect(text).not.toContain('<b>');
    expect(text).toContain('| loss &#60;b&#62; | 0\\.25 |');
    expect(text).toMatch(/!\[loss &#60;b&#62;\]\(data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+\)/);
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
