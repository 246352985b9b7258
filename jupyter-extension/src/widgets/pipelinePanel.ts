import {
  layoutGraph,
  type AnalysisWarning,
  type GraphLayout,
  type PipelineGraph,
  type StepState,
} from '@cellpipe/core';
import { Widget } from '@lumino/widgets';
import { layoutKey, stepSummaries } from '../dagModel';
import { el } from '../dom';
import { DagView } from './dagView';

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
    this.dag = new DagView({ onRevealCell: options.onRevealCell, onOpenInMain: options.onOpenInMain });
    this.warnings = el('ul', 'cellpipe-Warnings');
    this.steps = el('div', 'cellpipe-StepList');
    this.node.append(this.header, this.dag.node, this.warnings, this.steps);
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
      this.dag.clear();
      this.dagLayout = undefined;
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
        if (this.shape !== shape) return;
        this.dagLayout = layout;
        this.drawn = requested;
        this.dag.draw(layout, requested);
        this.layoutChanged?.(layout, requested);
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

  /** The step states of the run shown on the current notebook's cells (`null`: none). */
  setRunStates(states: ReadonlyMap<string, StepState> | null): void {
    this.dag.setStates(states);
  }

  /** The last layout drawn and its graph, for a copy of the DAG in the main area. */
  get drawing(): { layout: GraphLayout; graph: PipelineGraph } | undefined {
    return this.dagLayout && this.drawn ? { layout: this.dagLayout, graph: this.drawn } : undefined;
  }

  /** Called after every new layout is drawn. */
  layoutChanged?: (layout: GraphLayout, graph: PipelineGraph) => void;

  private dagLayout?: GraphLayout;
  private drawn?: PipelineGraph;
  private graph: PipelineGraph | null = null;
  private shape = '';
  private warningsKey = '';
  private stepsKey = '';
  private pendingLayout: Promise<void> = Promise.resolve();
  private readonly header: HTMLDivElement;
  private readonly dag: DagView;
  private readonly warnings: HTMLUListElement;
  private readonly steps: HTMLDivElement;
  private readonly onRevealCell: (cellId: string) => void;
}

export namespace PipelinePanel {
  export interface IOptions {
    onRevealCell: (cellId: string) => void;
    onOpenInMain?: () => void;
  }
}
