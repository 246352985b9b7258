import { analyzeNotebook, buildNotebook } from '@cellpipe/core';
import { layoutKey, stepSummaries } from './dagModel';

function graphOf(sources: [string, string[]][]) {
  return analyzeNotebook(buildNotebook(sources.map(([source, tags]) => ({ source, tags }))));
}

describe('DAG model', () => {
  it('summarises inputs with their producers, and outputs', () => {
    const graph = graphOf([
      ['a = 1', ['step:one']],
      ['b = 2', ['step:two']],
      ['c = a + b', ['step:three']],
    ]);
    const three = stepSummaries(graph).find((step) => step.name === 'three')!;
    expect(three.inputs.sort()).toEqual(['a ← one', 'b ← two']);
    expect(stepSummaries(graph).find((step) => step.name === 'one')!.outputs).toEqual(['a']);
    expect(three.firstCell).toBe('cell-2');
  });

  it('gives each step the same colour every time', () => {
    const graph = graphOf([['a = 1', ['step:one']]]);
    expect(stepSummaries(graph)[0]!.hue).toBe(stepSummaries(graph)[0]!.hue);
    expect(stepSummaries(graph)[0]!.hue).toBeGreaterThanOrEqual(0);
  });

  it('asks for a new layout when an edit adds an edge, not when it only changes code', () => {
    const before = graphOf([
      ['a = 1', ['step:one']],
      ['c = 3', ['step:two']],
    ]);
    const sameShape = graphOf([
      ['a = 2', ['step:one']],
      ['c = 4', ['step:two']],
    ]);
    const withEdge = graphOf([
      ['a = 1', ['step:one']],
      ['c = a + 3', ['step:two']],
    ]);
    const renamed = graphOf([
      ['a = 1', ['step:first']],
      ['c = 3', ['step:two']],
    ]);
    expect(layoutKey(sameShape)).toBe(layoutKey(before));
    expect(layoutKey(withEdge)).not.toBe(layoutKey(before));
    expect(layoutKey(renamed)).not.toBe(layoutKey(before));
  });
});
