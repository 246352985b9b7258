import type { Notebook, NotebookCell } from '../notebook/model.js';
import { analyzeNotebook, type CellFactsCache } from './build.js';
import type { PipelineGraph } from './types.js';

/**
 * Incremental analysis for the editors: cell facts are cached by source text, so an edit re-parses
 * only the edited cell and the graph is recomputed lazily on the next read of `graph`.
 */
export class NotebookAnalyzer {
  private notebook: Notebook;
  private readonly cache: CellFactsCache = new Map();
  private cached?: PipelineGraph;

  constructor(options: NotebookAnalyzer.IOptions) {
    this.notebook = {
      ...options.notebook,
      cells: options.notebook.cells.map((cell) => ({ ...cell, tags: [...cell.tags] })),
    };
  }

  /** Changes one cell's source and/or tags. Throws if the notebook has no such cell. */
  updateCell(cellId: string, change: { source?: string; tags?: string[] }): void {
    const cell = this.notebook.cells.find((candidate) => candidate.id === cellId);
    if (!cell) throw new Error(`${this.notebook.name}: no cell with id ${cellId}`);
    if (change.source !== undefined) cell.source = change.source;
    if (change.tags !== undefined) cell.tags = [...change.tags];
    this.cached = undefined;
  }

  /** Replaces the cell list (insert, delete, move); indexes are renumbered from the new order. */
  setCells(cells: NotebookCell[]): void {
    this.notebook = { ...this.notebook, cells: cells.map((cell, index) => ({ ...cell, index, tags: [...cell.tags] })) };
    this.cached = undefined;
  }

  get graph(): PipelineGraph {
    if (!this.cached) {
      this.cached = analyzeNotebook(this.notebook, this.cache);
      this.forgetUnused();
    }
    return this.cached;
  }

  /** Keeps the cache to the sources currently in the notebook so it cannot grow without bound. */
  private forgetUnused(): void {
    const live = new Set(this.notebook.cells.map((cell) => cell.source));
    for (const source of this.cache.keys()) if (!live.has(source)) this.cache.delete(source);
  }
}

export namespace NotebookAnalyzer {
  export interface IOptions {
    notebook: Notebook;
  }
}
