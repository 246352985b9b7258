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
