import type { PipelineGraph, PipelineStep } from '../../graph/types.js';
import { unchangedNames } from './unchanged.js';

function step(name: string, fields: Partial<PipelineStep> = {}): PipelineStep {
  return {
    name,
    displayName: name,
    cells: [`${name}-cell`],
    after: [],
    inputs: [],
    outputs: [],
    code: [],
    parameters: [],
    metrics: [],
    settings: {},
    ...fields,
  };
}

function graph(...steps: PipelineStep[]): PipelineGraph {
  return { name: 'g', steps, parameters: {}, definitions: [], warnings: [] };
}

const value = (name: string, from: string) => ({ name, from, kind: 'value' as const });

describe('unchangedNames', () => {
  const load = step('load', { outputs: ['df'] });

  test('a value a later step reads from an earlier producer must stay as it is', () => {
    const g = graph(
      load,
      step('clean', { inputs: [value('df', 'load')] }),
      step('report', { inputs: [value('df', 'load')] }),
    );
    expect(unchangedNames(g, 'clean')).toEqual([{ name: 'df', from: 'load', readBy: 'report' }]);
  });

  test('a value the step declares as an output, or that later steps read from it, is not held', () => {
    const declared = graph(
      load,
      step('clean', { inputs: [value('df', 'load')], outputs: ['df'] }),
      step('report', { inputs: [value('df', 'clean')] }),
    );
    expect(unchangedNames(declared, 'clean')).toEqual([]);
  });

  test('earlier readers and the producer itself are not held', () => {
    const g = graph(
      load,
      step('report', { inputs: [value('df', 'load')] }),
      step('clean', { inputs: [value('df', 'load')] }),
    );
    expect(unchangedNames(g, 'clean')).toEqual([]);
    expect(unchangedNames(g, 'load')).toEqual([]);
  });

  test('a later producer that only mutates what it received passes the earlier value on', () => {
    const g = graph(
      load,
      step('clean', { inputs: [value('df', 'load')] }),
      step('scale', { inputs: [value('df', 'load')], outputs: ['df'] }),
      step('report', { inputs: [value('df', 'scale')] }),
    );
    expect(unchangedNames(g, 'clean')).toEqual([{ name: 'df', from: 'load', readBy: 'scale' }]);
  });

  test('a later step that binds the name afresh hides any change', () => {
    const g = graph(
      load,
      step('clean', { inputs: [value('df', 'load')] }),
      step('reload', { outputs: ['df'] }),
      step('report', { inputs: [value('df', 'reload')] }),
    );
    expect(unchangedNames(g, 'clean')).toEqual([]);
  });

  test('names the step does not load are held too: binding one is a missed write', () => {
    const g = graph(load, step('other'), step('report', { inputs: [value('df', 'load')] }));
    expect(unchangedNames(g, 'other')).toEqual([{ name: 'df', from: 'load', readBy: 'report' }]);
  });

  test('parameters later steps read are held; code is not', () => {
    const g = graph(
      step('first', { parameters: ['cols'] }),
      step('last', {
        parameters: ['cols'],
        code: [{ names: ['np'], kind: 'module', source: 'import numpy as np', cellId: 'c', from: 'first' }],
        inputs: [{ name: 'helper', from: 'first', kind: 'function' }],
      }),
    );
    expect(unchangedNames(g, 'first')).toEqual([{ name: 'cols', from: '(parameters)', readBy: 'last' }]);
  });
});
