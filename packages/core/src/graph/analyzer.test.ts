import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNotebook } from '../notebook/builder.js';
import { readNotebook } from '../notebook/read.js';
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

describe('NotebookAnalyzer on the test corpus', () => {
  const corpus = join(dirname(fileURLToPath(import.meta.url)), '../../../../test/corpus');
  const files = existsSync(corpus) ? readdirSync(corpus).filter((file) => file.endsWith('.ipynb')) : [];

  /** Deterministic pseudo-random numbers so a failure can be replayed. */
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
  }

  test.each(files)('edits to %s keep the incremental graph equal to a full analysis', (file) => {
    const notebook = readNotebook(readFileSync(join(corpus, file), 'utf8'), file);
    const analyzer = new NotebookAnalyzer({ notebook });
    const next = random(file.length * 7919);
    let cells = notebook.cells.map((cell) => ({ ...cell, tags: [...cell.tags] }));
    for (let round = 0; round < 6 && cells.length > 1; round++) {
      const pick = Math.floor(next() * cells.length);
      const cell = cells[pick]!;
      const action = round % 3;
      if (action === 0) {
        const source = `${cell.source}\nprobe_${round} = ${round}`;
        analyzer.updateCell(cell.id, { source });
        cells[pick] = { ...cell, source };
      } else if (action === 1) {
        const tags = cell.tags.some((tag) => tag.startsWith('step:')) ? [] : [`step:edit-${round}`];
        analyzer.updateCell(cell.id, { tags });
        cells[pick] = { ...cell, tags };
      } else {
        const [moved] = cells.splice(pick, 1);
        cells.splice(Math.floor(next() * cells.length), 0, moved!);
        cells = cells.map((c, index) => ({ ...c, index }));
        analyzer.setCells(cells);
      }
      expect(analyzer.graph).toEqual(analyzeNotebook({ ...notebook, cells }));
    }
  });
});
