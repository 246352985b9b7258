import { buildNotebook } from '../notebook/builder.js';
import { NotebookAnalyzer } from './analyzer.js';
import { analyzeNotebook } from './build.js';

const cells = [
  { source: 'import math\nrows = [1, 4]', tags: ['step:load'] },
  { source: 'def root(v):\n    return math.sqrt(v)', tags: [] },
  { source: 'roots = [root(r) for r in rows]', tags: ['step:compute'] },
  { source: 'print(roots)', tags: ['step:report'] },
];

describe('NotebookAnalyzer', () => {
  test('starts equal to a full analysis', () => {
    const notebook = buildNotebook(cells);
    expect(new NotebookAnalyzer({ notebook }).graph).toEqual(analyzeNotebook(notebook));
  });

  test('source and tag edits give the same graph as a full analysis of the edited notebook', () => {
    const analyzer = new NotebookAnalyzer({ notebook: buildNotebook(cells) });
    const before = analyzer.graph;
    analyzer.updateCell('cell-3', { source: 'print(rows, roots)' });
    analyzer.updateCell('cell-1', { tags: ['step:helpers'] });
    const edited = buildNotebook([
      cells[0]!,
      { ...cells[1]!, tags: ['step:helpers'] },
      cells[2]!,
      { ...cells[3]!, source: 'print(rows, roots)' },
    ]);
    expect(analyzer.graph).toEqual(analyzeNotebook(edited));
    expect(analyzer.graph).not.toEqual(before);
    expect(analyzer.graph.steps.find((s) => s.name === 'report')?.after).toEqual(['load', 'compute']);
  });

  test('insert, delete and move through setCells match a full analysis', () => {
    const analyzer = new NotebookAnalyzer({ notebook: buildNotebook(cells) });
    void analyzer.graph;
    const moved = buildNotebook([
      cells[0]!,
      cells[1]!,
      { source: 'rows.append(9)', tags: ['step:grow'] },
      cells[2]!,
      cells[3]!,
    ]).cells;
    moved[2]!.id = 'new';
    analyzer.setCells([moved[0]!, moved[1]!, moved[2]!, moved[3]!, moved[4]!]);
    const expected = analyzeNotebook({ ...buildNotebook([]), cells: moved });
    expect(analyzer.graph).toEqual(expected);
    expect(analyzer.graph.steps.find((s) => s.name === 'compute')?.inputs.find((i) => i.name === 'rows')?.from).toBe(
      'grow',
    );
    analyzer.setCells(moved.filter((c) => c.id !== 'new'));
    expect(analyzer.graph.steps.find((s) => s.name === 'compute')?.inputs.find((i) => i.name === 'rows')?.from).toBe(
      'load',
    );
  });

  test('unknown cell ids are rejected', () => {
    const analyzer = new NotebookAnalyzer({ notebook: buildNotebook(cells) });
    expect(() => analyzer.updateCell('nope', { source: '' })).toThrow(/no cell with id nope/);
  });
});
