import type { GraphLayout, PipelineGraph, StepState } from '@cellpipe/core';
import { el, stepHue, svg } from '../dom';

const ZOOM_STEP = 1.25;

/**
 * The pipeline DAG from core's layout, with each step's state in the shown run, and zoom controls. Drawn at its
 * natural size (12 px labels) and scrolled, so labels stay readable in a narrow sidebar; "Fit" shrinks it to the width.
 */
export class DagView {
  /** Plain DOM, so that both the side panel and a main-area widget can hold it. */
  readonly node = el('div', 'cellpipe-DagView');

  constructor(options: DagView.IOptions) {
    this.onRevealCell = options.onRevealCell;
    const bar = el('div', 'cellpipe-DagView-toolbar');
    bar.append(
      this.button('−', 'Zoom out', () => this.setZoom(this.zoom / ZOOM_STEP)),
      this.button('+', 'Zoom in', () => this.setZoom(this.zoom * ZOOM_STEP)),
      this.button('1:1', 'Natural size', () => this.setZoom(1)),
      this.button('Fit', 'Fit to the width', () => this.fit()),
    );
    if (options.onOpenInMain) bar.append(this.button('⤢', 'Open the graph in the main area', options.onOpenInMain));
    this.canvas = el('div', 'cellpipe-Dag');
    this.node.append(bar, this.canvas);
  }

  /** Draws a laid-out graph; run states already set stay on the steps that still exist. */
  draw(layout: GraphLayout, graph: PipelineGraph): void {
    this.layout = layout;
    const margin = 8;
    const drawing = svg('svg', {
      class: 'cellpipe-Dag-svg',
      viewBox: `${-margin} ${-margin} ${layout.width + 2 * margin} ${layout.height + 2 * margin}`,
    });
    const defs = svg('defs');
    const marker = svg('marker', {
      id: 'cellpipe-arrow',
      viewBox: '0 0 10 10',
      refX: 10,
      refY: 5,
      markerWidth: 6,
      markerHeight: 6,
      orient: 'auto',
    });
    marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'cellpipe-Dag-arrow' }));
    defs.append(marker);
    drawing.append(defs);
    for (const edge of layout.edges) {
      const points = edge.points.map((point) => `${point.x},${point.y}`).join(' ');
      drawing.append(svg('polyline', { points, class: 'cellpipe-Dag-edge', 'marker-end': 'url(#cellpipe-arrow)' }));
    }
    const display = new Map(graph.steps.map((step) => [step.name, step]));
    this.nodes.clear();
    for (const node of layout.nodes) {
      const step = display.get(node.name);
      const group = svg('g', {
        class: 'cellpipe-Dag-node',
        'data-step': node.name,
        transform: `translate(${node.x},${node.y})`,
      });
      group.style.setProperty('--cellpipe-step-hue', String(stepHue(node.name)));
      group.append(svg('rect', { width: node.width, height: node.height, rx: 6 }));
      const label = svg('text', {
        x: node.width / 2,
        y: node.height / 2,
        'dominant-baseline': 'central',
        'text-anchor': 'middle',
      });
      label.textContent = step?.displayName ?? node.name;
      const title = svg('title');
      title.textContent = step?.displayName ?? node.name;
      group.append(label, title);
      const first = step?.cells[0];
      if (first !== undefined) group.addEventListener('click', () => this.onRevealCell(first));
      drawing.append(group);
      this.nodes.set(node.name, { group, title, label: step?.displayName ?? node.name });
    }
    this.svgNode = drawing;
    this.canvas.replaceChildren(drawing);
    this.applyZoom();
    this.applyStates();
  }

  clear(): void {
    this.layout = undefined;
    this.svgNode = undefined;
    this.nodes.clear();
    this.canvas.replaceChildren();
  }

  /** The state of each step in the shown run (`null`: no run), drawn as the node's outline and tooltip. */
  setStates(states: ReadonlyMap<string, StepState> | null): void {
    this.states = states;
    this.applyStates();
  }

  setZoom(zoom: number): void {
    this.zoom = Math.min(4, Math.max(0.2, zoom));
    this.applyZoom();
  }

  fit(): void {
    if (!this.layout) return;
    const width = this.canvas.clientWidth || this.node.clientWidth;
    if (width > 0) this.setZoom(width / (this.layout.width + 16));
  }

  get currentZoom(): number {
    return this.zoom;
  }

  private applyZoom(): void {
    if (!this.layout || !this.svgNode) return;
    this.svgNode.setAttribute('width', String(Math.round((this.layout.width + 16) * this.zoom)));
    this.svgNode.setAttribute('height', String(Math.round((this.layout.height + 16) * this.zoom)));
  }

  private applyStates(): void {
    for (const [name, node] of this.nodes) {
      const state = this.states?.get(name);
      if (state) node.group.setAttribute('data-state', state);
      else node.group.removeAttribute('data-state');
      node.title.textContent = state ? `${node.label}: ${state}` : node.label;
    }
  }

  private button(text: string, title: string, action: () => void): HTMLButtonElement {
    const button = el('button', 'jp-Button jp-mod-minimal cellpipe-DagView-button', text);
    button.type = 'button';
    button.title = title;
    button.addEventListener('click', action);
    return button;
  }

  private layout?: GraphLayout;
  private svgNode?: SVGSVGElement;
  private zoom = 1;
  private states: ReadonlyMap<string, StepState> | null = null;
  private readonly nodes = new Map<string, { group: SVGGElement; title: SVGTitleElement; label: string }>();
  private readonly canvas: HTMLDivElement;
  private readonly onRevealCell: (cellId: string) => void;
}

export namespace DagView {
  export interface IOptions {
    onRevealCell: (cellId: string) => void;
    /** Shows the "open in main area" button when given. */
    onOpenInMain?: () => void;
  }
}
