import { placeEdgeLabels, pointAlong, shortLabel } from './edgeLabels.js';

describe('edge labels of the graph webview', () => {
  const overlap = (a: { x: number; y: number; text: string }, b: { x: number; y: number; text: string }) =>
    Math.abs(a.y - b.y) < 12 && a.x < b.x + b.text.length * 6.2 && b.x < a.x + a.text.length * 6.2;

  it('moves a label along its edge when the middle is taken', () => {
    // Two edges leaving one step side by side: their middles are 6 px apart.
    const edges = [
      {
        label: 'features, labels',
        points: [
          { x: 0, y: 0 },
          { x: 0, y: 200 },
        ],
      },
      {
        label: 'X_train, y_train',
        points: [
          { x: 6, y: 0 },
          { x: 6, y: 200 },
        ],
      },
    ];
    const [first, second] = placeEdgeLabels(edges, []);
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(overlap(first!, second!)).toBe(false);
  });

  it('keeps labels off the step boxes and shortens long lists of names', () => {
    const [placed] = placeEdgeLabels(
      [
        {
          label: 'a',
          points: [
            { x: 0, y: 0 },
            { x: 0, y: 100 },
          ],
        },
      ],
      [{ x: 0, y: 40, width: 100, height: 20 }],
    );
    expect(placed!.y < 40 || placed!.y - 10 > 60).toBe(true);
    expect(shortLabel('x'.repeat(40))).toHaveLength(28);
    expect(
      pointAlong(
        [
          { x: 0, y: 0 },
          { x: 10, y: 0 },
        ],
        0.3,
      ),
    ).toEqual({ x: 3, y: 0 });
  });
});
