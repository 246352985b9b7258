import type { PipelineGraph, PipelineStep } from '../../graph/types.js';
import type { Notebook, NotebookCell } from '../../notebook/model.js';

/** Hand-built notebooks and graphs (no analysis involved) for the compilers' unit tests and size checks. */
export interface SamplePipeline {
  notebook: Notebook;
  graph: PipelineGraph;
}

function cell(index: number, source: string, tags: string[] = []): NotebookCell {
  return { id: `c${index}`, index, cellType: 'code', source, tags };
}

function step(name: string, fields: Partial<PipelineStep>): PipelineStep {
  return {
    name,
    displayName: name,
    cells: [],
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

/** Four steps in a diamond-free chain with a parameter, a function, metrics and per-step settings. */
export function samplePipeline(): SamplePipeline {
  const cells = [
    cell(0, 'import math', ['step:load']),
    cell(1, 'factor = 2.5\nepochs = 3\nlabel = "weekly run"\nflags = [1, 2]\nopts = {"a": true}\nenabled = False', [
      'pipeline-parameters',
    ]),
    cell(2, 'data = [1, 2, 3]', ['step:load']),
    cell(3, 'def scale(x):\n    return x * factor  # {{ not a placeholder }}', ['step:prep']),
    cell(4, 'scaled = [scale(v) for v in data]', ['step:prep']),
    cell(5, 'total = sum(scaled) * epochs\naccuracy = math.sqrt(total)', ['step:train', 'limit:nvidia.com/gpu:1']),
    cell(6, 'accuracy', ['pipeline-metrics']),
    cell(7, 'print(label, total, data)', ['step:report', 'prev:train']),
  ];
  const scaleDef = {
    names: ['scale'],
    kind: 'function' as const,
    source: cells[3]!.source,
    cellId: 'c3',
    from: 'prep',
  };
  const mathImport = { names: ['math'], kind: 'module' as const, source: 'import math', cellId: 'c0', from: 'load' };
  const graph: PipelineGraph = {
    name: 'sample',
    parameters: { factor: 2.5, epochs: 3, label: 'weekly run', flags: [1, 2], opts: { a: true }, enabled: false },
    definitions: [scaleDef],
    warnings: [],
    steps: [
      step('load', { cells: ['c0', 'c2'], outputs: ['data'] }),
      step('prep', {
        cells: ['c3', 'c4'],
        after: ['load'],
        inputs: [{ name: 'data', from: 'load', kind: 'value' }],
        outputs: ['scaled'],
        parameters: ['factor'],
      }),
      step('train', {
        cells: ['c5'],
        after: ['prep', 'load'],
        inputs: [
          { name: 'scaled', from: 'prep', kind: 'value' },
          { name: 'math', from: 'load', kind: 'module' },
        ],
        code: [mathImport],
        outputs: ['total'],
        parameters: ['epochs'],
        metrics: ['accuracy'],
        settings: {
          limits: { 'nvidia.com/gpu': '1', memory: '2Gi' },
          retries: 2,
          timeoutSeconds: 90,
          labels: { team: 'ml' },
        },
      }),
      step('report', {
        cells: ['c7'],
        after: ['train', 'load'],
        inputs: [
          { name: 'total', from: 'train', kind: 'value' },
          { name: 'data', from: 'load', kind: 'value' },
        ],
        parameters: ['label'],
        settings: { cache: false, annotations: { note: 'weekly report' }, image: 'python:3.12-slim' },
      }),
    ],
  };
  return { notebook: { name: 'sample.ipynb', cells, settings: {}, language: 'python' }, graph };
}

/**
 * A chain of `count` steps, each defining a function and reading the previous step's value,
 * shaped like a long real notebook: every step sees every earlier definition.
 */
export function longPipeline(count: number): SamplePipeline {
  const cells: NotebookCell[] = [cell(0, 'seed = 7', ['pipeline-parameters'])];
  const steps: PipelineStep[] = [];
  const definitions = [];
  for (let i = 0; i < count; i++) {
    const name = `step-${i}`;
    const source = `def transform_${i}(value):\n    return value * 3 + ${i} - seed\n\nvalue_${i} = transform_${i}(${i === 0 ? 'seed' : `value_${i - 1}`})`;
    const current = cell(i + 1, source, [`step:${name}`]);
    cells.push(current);
    definitions.push({
      names: [`transform_${i}`],
      kind: 'function' as const,
      source: source.split('\n\n')[0]!,
      cellId: current.id,
      from: name,
    });
    steps.push(
      step(name, {
        cells: [current.id],
        after: i === 0 ? [] : [`step-${i - 1}`],
        inputs: i === 0 ? [] : [{ name: `value_${i - 1}`, from: `step-${i - 1}`, kind: 'value' }],
        outputs: i === count - 1 ? [] : [`value_${i}`],
        parameters: ['seed'],
        metrics: i === count - 1 ? [`value_${i}`] : [],
      }),
    );
  }
  return {
    notebook: { name: `long-${count}.ipynb`, cells, settings: {}, language: 'python' },
    graph: { name: `long-${count}`, steps, parameters: { seed: 7 }, definitions, warnings: [] },
  };
}
