import { layoutGraph, type AnalysisWarning, type GraphLayout, type PipelineGraph } from '@cellpipe/core';
import { Widget } from '@lumino/widgets';
import { layoutKey, stepSummaries } from '../dagModel';
import { el, stepHue, svg } from '../dom';

/**
 * The side panel for the current notebook: DAG drawn from an elkjs layout, each step's inputs and
 * outputs, and the analysis warnings (a click reveals the cell). Text parts update synchronously on
 * every graph change; the layout only re-runs when the steps or their edges change.
 */
export class PipelinePanel extends Widget {
  constructor(options: PipelinePanel.IOptions) {
    super();
    this.id = 'cellpipe-pipeline-panel';
    this.addClass('cellpipe-PipelinePanel');
    this.title.caption = 'cellpipe pipeline';
    this.onRevealCell = options.onRevealCell;
    this.header = el('div', 'cellpipe-PipelinePanel-header', 'No notebook');
    this.dag = el('div', 'cellpipe-Dag');
    this.warnings = el('ul', 'cellpipe-Warnings');
    this.steps = el('div', 'cellpipe-StepList');
    this.node.append(this.header, this.dag, this.warnings, this.steps);
  }

  /** The layout of the graph currently drawn; resolves when the DAG is on screen. */
  get layoutDone(): Promise<void> {
    return this.pendingLayout;
  }

  /** Shows a notebook's graph (or `null` when no notebook is current). */
  setGraph(title: string | null, graph: PipelineGraph | null): void {
    this.graph = graph;
    if (!graph || title === null) {
      this.header.textContent = 'Open a notebook to see its pipeline.';
      this.dag.replaceChildren();
      this.warnings.replaceChildren();
      this.steps.replaceChildren();
      this.shape = '';
      this.warningsKey = '';
      this.stepsKey = '';
      return;
    }
    this.header.textContent = `${title}: ${graph.steps.length} step${graph.steps.length === 1 ? '' : 's'}`;
    this.renderWarnings(graph.warnings);
    this.renderSteps(graph);
    const shape = layoutKey(graph);
    if (shape !== this.shape) {
      this.shape = shape;
      const requested = graph;
      this.pendingLayout = layoutGraph(graph).then((layout) => {
        if (this.shape === shape) this.renderDag(layout, requested);
      });
    }
  }

  private renderWarnings(warnings: AnalysisWarning[]): void {
    const key = JSON.stringify(warnings);
    if (key === this.warningsKey) return;
    this.warningsKey = key;
    const items = warnings.map((warning) => {
      const item = el('li', 'cellpipe-Warning');
      item.dataset['code'] = warning.code;
      item.append(
        el('span', 'cellpipe-Warning-code', warning.code),
        el('span', 'cellpipe-Warning-text', warning.message),
      );
      if (warning.cellId !== undefined) {
        const cellId = warning.cellId;
        item.classList.add('cellpipe-mod-clickable');
        item.title = 'Reveal the cell';
        item.addEventListener('click', () => this.onRevealCell(cellId));
      }
      return item;
    });
    this.warnings.replaceChildren(...items);
  }

  private renderSteps(graph: PipelineGraph): void {
    const summaries = stepSummaries(graph);
    // Typing rarely changes what the cards say: rebuilding 500 cards per keystroke would cost a frame.
    const key = JSON.stringify(summaries);
    if (key === this.stepsKey) return;
    this.stepsKey = key;
    const cards = summaries.map((step) => {
      const card = el('div', 'cellpipe-StepCard');
      card.dataset['step'] = step.name;
      card.style.setProperty('--cellpipe-step-hue', String(step.hue));
      const name = el('div', 'cellpipe-StepCard-name', step.displayName);
      name.title = 'Reveal the first cell';
      const first = step.firstCell;
      if (first !== undefined) name.addEventListener('click', () => this.onRevealCell(first));
      card.append(name);
      card.append(el('div', 'cellpipe-StepCard-io', `in: ${step.inputs.length ? step.inputs.join(', ') : '—'}`));
      card.append(el('div', 'cellpipe-StepCard-io', `out: ${step.outputs.length ? step.outputs.join(', ') : '—'}`));
      return card;
    });
    this.steps.replaceChildren(...cards);
  }

  private renderDag(layout: GraphLayout, graph: PipelineGraph): void {
    const margin = 8;
    const drawing = svg('svg', {
      class: 'cellpipe-Dag-svg',
      width: layout.width + 2 * margin,
      height: layout.height + 2 * margin,
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
      group.append(label);
      const first = step?.cells[0];
      if (first !== undefined) group.addEventListener('click', () => this.onRevealCell(first));
      drawing.append(group);
    }
    this.dag.replaceChildren(drawing);
  }

  private graph: PipelineGraph | null = null;
  private shape = '';
  private warningsKey = '';
  private stepsKey = '';
  private pendingLayout: Promise<void> = Promise.resolve();
  private readonly header: HTMLDivElement;
  private readonly dag: HTMLDivElement;
  private readonly warnings: HTMLUListElement;
  private readonly steps: HTMLDivElement;
  private readonly onRevealCell: (cellId: string) => void;
}

export namespace PipelinePanel {
  export interface IOptions {
    onRevealCell: (cellId: string) => void;
  }
}
