import { PythonLiteral, parseParameterOverride } from '../../analysis/literal.js';
import { analyzeNotebook } from '../../graph/build.js';
import { buildNotebook } from '../../notebook/builder.js';
import { parameterFields, randomStateField } from './carried.js';

const graph = analyzeNotebook(
  buildNotebook([
    {
      source: 'rate = 1.0\nshape = (2, 3)\nnames = {1: "a"}\nbig = 123456789012345678901234567890',
      tags: ['pipeline-parameters'],
    },
    { source: 'import random\nrandom.seed(0)', tags: ['step:seed'] },
    { source: 'print(rate, shape, names, big, random.random())', tags: ['step:use'] },
  ]),
);

describe('values carried to the step runtime', () => {
  test('defaults keep their Python source; a -p override carries its own; other values are JSON only', () => {
    expect(graph.parameterSources).toEqual({
      rate: '1.0',
      shape: '(2, 3)',
      names: '{1: "a"}',
      big: '123456789012345678901234567890',
    });
    const values: Record<string, unknown> = { ...graph.parameters, shape: parseParameterOverride('(4, 5)'), big: 7 };
    expect(parameterFields(graph, ['rate', 'shape', 'names', 'big'], values)).toEqual({
      parameters: { rate: 1, shape: [4, 5], names: { '1': 'a' }, big: 7 },
      parameterSources: { rate: '1.0', shape: '(4, 5)', names: '{1: "a"}' },
    });
    expect(parseParameterOverride('not python')).toBe('not python');
    expect(JSON.stringify(new PythonLiteral('1.0', 1))).toBe('1');
  });

  test('steps using the global RNG continue the state of the previous one', () => {
    const byName = Object.fromEntries(graph.steps.map((step) => [step.name, step]));
    expect(byName.seed?.randomState).toEqual({});
    expect(byName.use?.randomState).toEqual({ from: 'seed' });
    expect(byName.use?.after).toEqual(['seed']);
    expect(randomStateField(byName.use!, (step) => `/runs/${step}`)).toEqual({
      randomState: { from: 'seed', dir: '/runs/seed' },
    });
  });
});
