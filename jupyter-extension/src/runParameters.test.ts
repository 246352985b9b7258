import { analyzeNotebook, buildNotebook } from '@cellpipe/core';
import { parameterOverrides } from './runParameters';

describe('parameterOverrides', () => {
  const graph = analyzeNotebook(
    buildNotebook([
      { source: 'seed = 7\nname = "wine"\nrate = 0.5', tags: ['parameters'] },
      { source: 'x = seed', tags: ['step:one'] },
    ]),
  );

  it('keeps only the fields changed from their default, parsed by the default’s kind', () => {
    expect(parameterOverrides(graph, { seed: '7', name: 'wine', rate: '0.5' })).toEqual({});
    expect(parameterOverrides(graph, { seed: '11', name: 'red wine', rate: '0.5' })).toEqual({
      seed: 11,
      name: 'red wine',
    });
  });

  it('refuses a value of the wrong kind with a message naming the parameter', () => {
    expect(() => parameterOverrides(graph, { seed: 'many' })).toThrow(/parameter 'seed'/);
  });
});
