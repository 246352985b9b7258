/** Where the graph webview writes each edge's label so that labels overlap neither each other nor the step boxes. */
export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedLabel {
  text: string;
  x: number;
  y: number;
}

const CHAR_WIDTH = 6.2;
const LINE_HEIGHT = 12;
const MAX_CHARS = 28;
/** Fractions along the edge tried in turn: the middle first, then further towards either end. */
const FRACTIONS = [0.5, 0.35, 0.65, 0.25, 0.75, 0.15, 0.85];

/** The point at fraction `t` (0..1) of a polyline's length. */
export function pointAlong(points: readonly Point[], t: number): Point {
  const lengths = points.slice(1).map((point, i) => Math.hypot(point.x - points[i]!.x, point.y - points[i]!.y));
  let remaining = lengths.reduce((sum, length) => sum + length, 0) * t;
  for (const [i, length] of lengths.entries()) {
    if (remaining <= length && length > 0) {
      const from = points[i]!;
      const to = points[i + 1]!;
      return { x: from.x + ((to.x - from.x) * remaining) / length, y: from.y + ((to.y - from.y) * remaining) / length };
    }
    remaining -= length;
  }
  return points[points.length - 1] ?? { x: 0, y: 0 };
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** A label's text as drawn: long lists of names are shortened (the edge's tooltip keeps them all). */
export function shortLabel(label: string): string {
  return label.length <= MAX_CHARS ? label : `${label.slice(0, MAX_CHARS - 1)}…`;
}

/** One position per labelled edge, in order; an edge without a free spot keeps its middle. */
export function placeEdgeLabels(
  edges: readonly { label: string; points: readonly Point[] }[],
  obstacles: readonly Box[],
): (PlacedLabel | undefined)[] {
  const taken: Box[] = [...obstacles];
  return edges.map((edge) => {
    if (!edge.label || edge.points.length < 2) return undefined;
    const text = shortLabel(edge.label);
    const width = text.length * CHAR_WIDTH + 4;
    const boxAt = (point: Point): Box => ({ x: point.x + 4, y: point.y - LINE_HEIGHT + 2, width, height: LINE_HEIGHT });
    const candidates = FRACTIONS.map((t) => pointAlong(edge.points, t));
    const free = candidates.find((point) => !taken.some((box) => overlaps(box, boxAt(point))));
    const chosen = free ?? candidates[0]!;
    taken.push(boxAt(chosen));
    return { text, x: chosen.x + 4, y: chosen.y };
  });
}
