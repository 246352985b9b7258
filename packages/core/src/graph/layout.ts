/**
 * Automatic layout of a pipeline graph for the editors' DAG views (JupyterLab panel, VS Code webview).
 * elkjs's layered algorithm is the standard for DAGs; the bundled build runs in a browser and in Node without a worker.
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
  nodes: LayoutNode[];
  edges: LayoutEdge[];
}

export interface LayoutOptions {
  /** Width of one character of the node label, in pixels. */
  charWidth?: number;
  nodeHeight?: number;
  direction?: 'DOWN' | 'RIGHT';
}

/** Lays the steps out top-down (or left-right), one node per step and one edge per `after` link. */
export async function layoutGraph(graph: PipelineGraph, options: LayoutOptions = {}): Promise<GraphLayout> {
  const charWidth = options.charWidth ?? 7.5;
  const nodeHeight = options.nodeHeight ?? 32;
  const names = new Set(graph.steps.map((step) => step.name));
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

// eslint-disable-next-line @typescript-eslint/no-namespace -- JupyterLab convention (Private)
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

  /** Prefixed so that no step name can collide with the root id. */
  export function nodeId(step: string): string {
    return `step:${step}`;
  }

  export function stepName(id: string): string {
    return id.slice('step:'.length);
  }
}
