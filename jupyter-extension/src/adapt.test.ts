import { analyzeNotebook } from '@cellpipe/core';
import { toCoreCells, toCoreNotebook } from './adapt';

describe('toCoreCells', () => {
  it('keeps ids, numbers cells by position and drops non-string tags', () => {
    const cells = toCoreCells([
      { id: 'm', cellType: 'markdown', source: '# hi', tags: undefined },
      { id: 'x', cellType: 'code', source: 'a = 1', tags: ['step:one', 3, null] },
      { id: 'y', cellType: 'raw', source: '', tags: 'step:bad' },
    ]);
    expect(cells.map((cell) => [cell.id, cell.index, cell.cellType, cell.tags])).toEqual([
      ['m', 0, 'markdown', []],
      ['x', 1, 'code', ['step:one']],
      ['y', 2, 'raw', []],
    ]);
  });

  it('gives core a notebook it can analyse', () => {
    const notebook = toCoreNotebook('nb.ipynb', [
      { id: 'a', cellType: 'code', source: 'x = 1', tags: ['step:make'] },
      { id: 'b', cellType: 'code', source: 'y = x + 1', tags: ['step:use'] },
    ]);
    const graph = analyzeNotebook(notebook);
    expect(graph.steps.map((step) => [step.name, step.after])).toEqual([
      ['make', []],
      ['use', ['make']],
    ]);
  });
});
