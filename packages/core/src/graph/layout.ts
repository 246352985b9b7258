/**
 * Automatic layout of a pipeline graph for the editors' DAG views (JupyterLab panel, VS Code webview).
 * elkjs's layered algorithm is the standard for DAGs; the bundled build runs in a browser and in Node without a worker.
 * It takes about 0.6 s for a 50-step chain and seconds once long edges add dummy nodes, so larger graphs get a
 * linear-time layered layout (longest-path layers, barycenter ordering) with straight edges instead.
 */
import ElkModule from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { PipelineGraph } from './types.js';

export interface LayoutNode {
  /** Step name (as in `PipelineStep.name`). */
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LayoutEdge {
  from: string;
  to: string;
  /** Polyline from the producer's border to the consumer's border. */
  points: { x: number; y: number }[];
}

export interface GraphLayout {
  width: number;
  height: number;
  /** Which layout produced it: ELK's layered algorithm, or the fast layered fallback for large graphs. */
  engine: 'elk' | 'fast';
  nodes: LayoutNode[];
  edges: LayoutEdge[];
}

export interface LayoutOptions {
  /** Width of one character of the node label, in pixels. */
  charWidth?: number;
  nodeHeight?: number;
  direction?: 'DOWN' | 'RIGHT';
  /** Largest layered size (nodes plus the dummy nodes of edges spanning several layers) laid out by ELK. */
  elkLimit?: number;
}

/** Lays the steps out top-down (or left-right), one node per step and one edge per `after` link. */
export async function layoutGraph(graph: PipelineGraph, options: LayoutOptions = {}): Promise<GraphLayout> {
  const charWidth = options.charWidth ?? 7.5;
  const nodeHeight = options.nodeHeight ?? 32;
  const names = new Set(graph.steps.map((step) => step.name));
  const layers = Private.longestPathLayers(graph);
  const dummies = graph.steps.reduce(
    (sum, step) =>
      sum +
      step.after.reduce((span, up) => span + Math.max(0, (layers.get(step.name) ?? 0) - (layers.get(up) ?? 0) - 1), 0),
    0,
  );
  if (graph.steps.length + dummies > (options.elkLimit ?? 40)) {
    return Private.fastLayout(graph, layers, { charWidth, nodeHeight, direction: options.direction ?? 'DOWN' });
  }
  const root: ElkNode = {
    id: '__root__',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': options.direction ?? 'DOWN',
      'elk.spacing.nodeNode': '16',
      'elk.layered.spacing.nodeNodeBetweenLayers': '28',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.edgeRouting': 'POLYLINE',
    },
    children: graph.steps.map((step) => ({
      id: Private.nodeId(step.name),
      width: Math.max(64, Math.ceil(step.displayName.length * charWidth) + 24),
      height: nodeHeight,
    })),
    edges: graph.steps.flatMap((step) =>
      step.after
        .filter((upstream) => names.has(upstream))
        .map((upstream): ElkExtendedEdge => ({
          id: `${Private.nodeId(upstream)}->${Private.nodeId(step.name)}`,
          sources: [Private.nodeId(upstream)],
          targets: [Private.nodeId(step.name)],
        })),
    ),
  };
  const laidOut = await Private.elk().layout(root);
  return {
    engine: 'elk',
    width: laidOut.width ?? 0,
    height: laidOut.height ?? 0,
    nodes: (laidOut.children ?? []).map((node) => ({
      name: Private.stepName(node.id),
      x: node.x ?? 0,
      y: node.y ?? 0,
      width: node.width ?? 0,
      height: node.height ?? 0,
    })),
    edges: (laidOut.edges ?? []).map((edge) => {
      const section = edge.sections?.[0];
      const points = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [];
      return {
        from: Private.stepName(edge.sources[0] ?? ''),
        to: Private.stepName(edge.targets[0] ?? ''),
        points: points.map((point) => ({ x: point.x, y: point.y })),
      };
    }),
  };
}

namespace Private {
  type ElkInstance = { layout(graph: ElkNode): Promise<ElkNode> };
  type ElkConstructor = new () => ElkInstance;
  let instance: ElkInstance | undefined;

  /** One ELK instance per process; the bundled build is CommonJS, so its constructor may sit on `default`. */
  export function elk(): ElkInstance {
    if (!instance) {
      const module = ElkModule as unknown as ElkConstructor | { default: ElkConstructor };
      const Elk = 'default' in module ? module.default : module;
      instance = new Elk();
    }
    return instance;
  }

  /** Layer of each step: 0 for steps without upstream steps, else one more than its deepest upstream step. */
  export function longestPathLayers(graph: PipelineGraph): Map<string, number> {
    const byName = new Map(graph.steps.map((step) => [step.name, step]));
    const layers = new Map<string, number>();
    const visiting = new Set<string>();
    const layerOf = (name: string): number => {
      const known = layers.get(name);
      if (known !== undefined) return known;
      // A cycle (reported by the analysis as a warning) is cut where it is found.
      if (visiting.has(name)) return 0;
      visiting.add(name);
      const ups = (byName.get(name)?.after ?? []).filter((up) => byName.has(up));
      const layer = ups.length === 0 ? 0 : Math.max(...ups.map((up) => layerOf(up) + 1));
      visiting.delete(name);
      layers.set(name, layer);
      return layer;
    };
    for (const step of graph.steps) layerOf(step.name);
    return layers;
  }

  /** Layers top-down (or left-right), nodes ordered by a few barycenter sweeps, straight edges. */
  export function fastLayout(
    graph: PipelineGraph,
    layers: Map<string, number>,
    options: { charWidth: number; nodeHeight: number; direction: 'DOWN' | 'RIGHT' },
  ): GraphLayout {
    const gap = 16;
    const layerGap = 28;
    const size = new Map(
      graph.steps.map((step) => [step.name, Math.max(64, Math.ceil(step.displayName.length * options.charWidth) + 24)]),
    );
    const rows: string[][] = [];
    for (const step of graph.steps) (rows[layers.get(step.name) ?? 0] ??= []).push(step.name);
    const ups = new Map(graph.steps.map((step) => [step.name, step.after.filter((up) => layers.has(up))]));
    const downs = new Map<string, string[]>();
    for (const [name, list] of ups) for (const up of list) downs.set(up, [...(downs.get(up) ?? []), name]);
    const position = new Map<string, number>();
    const renumber = (row: string[]) => row.forEach((name, index) => position.set(name, index));
    rows.forEach((row) => renumber(row));
    const barycenter = (name: string, neighbours: Map<string, string[]>) => {
      const list = neighbours.get(name) ?? [];
      return list.length === 0
        ? (position.get(name) ?? 0)
        : list.reduce((sum, other) => sum + (position.get(other) ?? 0), 0) / list.length;
    };
    for (let sweep = 0; sweep < 4; sweep++) {
      const downward = sweep % 2 === 0;
      const order = downward ? rows.slice(1) : rows.slice(0, -1).reverse();
      for (const row of order) {
        const keys = new Map(row.map((name) => [name, barycenter(name, downward ? ups : downs)]));
        row.sort((a, b) => keys.get(a)! - keys.get(b)!);
        renumber(row);
      }
    }
    const across = options.direction === 'DOWN';
    const rowWidth = (row: string[]) =>
      across
        ? row.reduce((sum, name) => sum + size.get(name)!, 0) + gap * (row.length - 1)
        : row.length * (options.nodeHeight + gap) - gap;
    const widest = Math.max(0, ...rows.map((row) => rowWidth(row ?? [])));
    const thickness = across ? options.nodeHeight : Math.max(64, ...size.values());
    const nodes: LayoutNode[] = [];
    const placed = new Map<string, LayoutNode>();
    rows.forEach((row = [], layer) => {
      let offset = (widest - rowWidth(row)) / 2;
      for (const name of row) {
        const length = size.get(name)!;
        const main = layer * (thickness + layerGap);
        const node: LayoutNode = across
          ? { name, x: offset, y: main, width: length, height: options.nodeHeight }
          : { name, x: main, y: offset, width: length, height: options.nodeHeight };
        offset += (across ? length : options.nodeHeight) + gap;
        nodes.push(node);
        placed.set(name, node);
      }
    });
    const edges: LayoutEdge[] = graph.steps.flatMap((step) =>
      (ups.get(step.name) ?? []).map((up) => {
        const from = placed.get(up)!;
        const to = placed.get(step.name)!;
        const start = across
          ? { x: from.x + from.width / 2, y: from.y + from.height }
          : { x: from.x + from.width, y: from.y + from.height / 2 };
        const end = across ? { x: to.x + to.width / 2, y: to.y } : { x: to.x, y: to.y + to.height / 2 };
        return { from: up, to: step.name, points: [start, end] };
      }),
    );
    const extent = rows.length * (thickness + layerGap) - layerGap;
    return {
      engine: 'fast',
      width: across ? widest : Math.max(0, extent),
      height: across ? Math.max(0, extent) : Math.max(0, ...nodes.map((node) => node.y + node.height)),
      nodes,
      edges,
    };
  }

  /** Prefixed so that no step name can collide with the root id. */
  export function nodeId(step: string): string {
    return `step:${step}`;
  }

  export function stepName(id: string): string {
    return id.slice('step:'.length);
  }
}
