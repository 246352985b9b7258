import { buildNotebook } from '../notebook/builder.js';
import { analyzeNotebook } from './build.js';
import { layoutGraph } from './layout.js';

describe('layoutGraph', () => {
  const graph = analyzeNotebook(
    buildNotebook(
      [
        { source: 'a = 1', tags: ['step:load'] },
        { source: 'b = a + 1', tags: ['step:left'] },
        { source: 'c = a * 2', tags: ['step:right'] },
        { source: 'd = b + c', tags: ['step:join'] },
      ],
      { name: 'diamond.ipynb' },
    ),
  );

  it('places every step once and routes one edge per dependency', async () => {
    const layout = await layoutGraph(graph);
    expect(layout.nodes.map((node) => node.name).sort()).toEqual(['join', 'left', 'load', 'right']);
    const edges = layout.edges.map((edge) => `${edge.from}->${edge.to}`).sort();
    expect(edges).toEqual(['left->join', 'load->left', 'load->right', 'right->join']);
    for (const edge of layout.edges) expect(edge.points.length).toBeGreaterThanOrEqual(2);
  });

  it('puts producers above consumers and keeps nodes inside the drawing', async () => {
    const layout = await layoutGraph(graph);
    const y = new Map(layout.nodes.map((node) => [node.name, node.y]));
    expect(y.get('load')!).toBeLessThan(y.get('left')!);
    expect(y.get('left')!).toBeLessThan(y.get('join')!);
    expect(y.get('left')).toBe(y.get('right'));
    for (const node of layout.nodes) {
      expect(node.x + node.width).toBeLessThanOrEqual(layout.width);
      expect(node.y + node.height).toBeLessThanOrEqual(layout.height);
    }
  });

  it('sizes nodes to their labels', async () => {
    const layout = await layoutGraph(graph, { charWidth: 10 });
    const widths = new Map(layout.nodes.map((node) => [node.name, node.width]));
    expect(widths.get('right')!).toBeGreaterThanOrEqual(5 * 10);
  });
});

describe('layoutGraph on large graphs', () => {
  const cells = Array.from({ length: 500 }, (_, step) => ({
    source: step === 0 ? 'v0 = 1' : `v${step} = v${step - 1} + v${Math.floor(step / 2)}`,
    tags: [`step:s${step}`],
  }));
  const graph = analyzeNotebook(buildNotebook(cells, { name: 'steps500.ipynb' }));

  it('switches to the fast layout and keeps every step and edge', async () => {
    const layout = await layoutGraph(graph);
    expect(layout.engine).toBe('fast');
    expect(layout.nodes).toHaveLength(500);
    const wanted = graph.steps.reduce((sum, step) => sum + step.after.length, 0);
    expect(layout.edges).toHaveLength(wanted);
  });

  it('puts every producer above its consumers, without overlapping nodes in a layer', async () => {
    const layout = await layoutGraph(graph);
    const node = new Map(layout.nodes.map((entry) => [entry.name, entry]));
    for (const step of graph.steps) {
      for (const up of step.after) expect(node.get(up)!.y).toBeLessThan(node.get(step.name)!.y);
    }
    const byRow = new Map<number, { x: number; width: number }[]>();
    for (const entry of layout.nodes) byRow.set(entry.y, [...(byRow.get(entry.y) ?? []), entry]);
    for (const row of byRow.values()) {
      row.sort((a, b) => a.x - b.x);
      for (let i = 1; i < row.length; i++) expect(row[i]!.x).toBeGreaterThanOrEqual(row[i - 1]!.x + row[i - 1]!.width);
    }
  });

  it('uses ELK for small graphs unless told otherwise', async () => {
    const small = analyzeNotebook(buildNotebook(cells.slice(0, 5), { name: 'small.ipynb' }));
    expect((await layoutGraph(small)).engine).toBe('elk');
    expect((await layoutGraph(small, { elkLimit: 0 })).engine).toBe('fast');
  });
});
