import { NotebookAnalyzer, readNotebook, type Notebook, type PipelineGraph } from '@cellpipe/core';
import type { ICellModel } from '@jupyterlab/cells';
import type { NotebookPanel } from '@jupyterlab/notebook';
import { Signal, type ISignal } from '@lumino/signaling';
import { toCoreCells, type CellSnapshot } from './adapt';

/**
 * The pipeline view of one open notebook: keeps a core `NotebookAnalyzer` in step with the editor
 * (one changed cell → one `updateCell`), and recomputes the graph at most once per animation frame.
 */
export class PipelineModel {
  constructor(options: PipelineModel.IOptions) {
    this.panel = options.panel;
    this.schedule = options.schedule ?? ((callback) => requestAnimationFrame(callback));
    const model = this.panel.content.model;
    this.analyzer = new NotebookAnalyzer({ notebook: this.initialNotebook() });
    if (model) {
      model.cells.changed.connect(this.onCellsChanged, this);
      for (const cell of model.cells) this.watchCell(cell);
    }
  }

  readonly panel: NotebookPanel;

  /** Emitted (at most once per frame) after the graph changed. */
  get changed(): ISignal<this, PipelineGraph> {
    return this.changedSignal;
  }

  get graph(): PipelineGraph {
    return this.analyzer.graph;
  }

  /** Cell id → step name (normalised) for the current cells; cells outside any step are absent. */
  get stepOfCell(): Map<string, string> {
    const steps = new Map<string, string>();
    for (const step of this.graph.steps) for (const cellId of step.cells) steps.set(cellId, step.name);
    return steps;
  }

  /** The current notebook as core sees it. */
  notebook(): Notebook {
    return { ...this.base, cells: toCoreCells(this.snapshots()) };
  }

  dispose(): void {
    Signal.clearData(this);
    this.disposed = true;
  }

  private initialNotebook(): Notebook {
    const model = this.panel.content.model;
    const name = this.panel.context.path;
    try {
      this.base = model ? { ...readNotebook(JSON.stringify(model.toJSON()), name), cells: [] } : this.base;
    } catch {
      this.base = { name, cells: [], settings: {}, language: 'python' };
    }
    return this.notebook();
  }

  private snapshots(): CellSnapshot[] {
    const model = this.panel.content.model;
    if (!model) return [];
    return Array.from(model.cells, (cell) => Private.snapshot(cell));
  }

  private onCellsChanged(): void {
    const model = this.panel.content.model;
    if (model) for (const cell of model.cells) this.watchCell(cell);
    this.analyzer.setCells(toCoreCells(this.snapshots()));
    this.scheduleEmit();
  }

  private watchCell(cell: ICellModel): void {
    if (this.watched.has(cell)) return;
    this.watched.add(cell);
    const update = () => {
      if (this.disposed || cell.isDisposed) return;
      const snapshot = Private.snapshot(cell);
      const [core] = toCoreCells([snapshot]);
      try {
        this.analyzer.updateCell(cell.id, { source: core!.source, tags: core!.tags });
      } catch {
        this.analyzer.setCells(toCoreCells(this.snapshots()));
      }
      this.scheduleEmit();
    };
    cell.contentChanged.connect(update);
    cell.metadataChanged.connect(update);
  }

  private scheduleEmit(): void {
    if (this.pending) return;
    this.pending = true;
    this.schedule(() => {
      this.pending = false;
      if (this.disposed) return;
      // Measured so that benchmarks can read the main-thread cost of one update (analysis + every listener).
      const start = performance.now();
      this.changedSignal.emit(this.analyzer.graph);
      performance.measure('cellpipe:panel-update', { start, end: performance.now() });
    });
  }

  private base: Notebook = { name: '', cells: [], settings: {}, language: 'python' };
  private readonly analyzer: NotebookAnalyzer;
  private readonly schedule: (callback: () => void) => void;
  private readonly watched = new WeakSet<ICellModel>();
  private readonly changedSignal = new Signal<this, PipelineGraph>(this);
  private pending = false;
  private disposed = false;
}

export namespace PipelineModel {
  export interface IOptions {
    panel: NotebookPanel;
    /** Defers graph recomputation; one animation frame by default. */
    schedule?: (callback: () => void) => void;
  }
}

namespace Private {
  export function snapshot(cell: ICellModel): CellSnapshot {
    return { id: cell.id, cellType: cell.type, source: cell.sharedModel.getSource(), tags: cell.getMetadata('tags') };
  }
}
