import {
  assignCells,
  type CellMembership,
  type Membership,
  type Notebook,
  type NotebookCell,
  type NotebookAnalyzer,
  type PipelineGraph,
} from '@cellpipe/core';

/**
 * One open notebook as core sees it, kept in step with the editor's edits. Cell roles (cheap: tags only) are
 * recomputed on read after a change; the data-flow graph goes through core's incremental `NotebookAnalyzer`.
 */
export class NotebookSession {
  private notebook: Notebook;
  private analyzer?: NotebookAnalyzer;
  private readonly loadAnalyzer: () => Promise<typeof NotebookAnalyzer>;
  private membershipCache?: { membership: Membership; byCell: Map<string, CellMembership> };

  constructor(options: NotebookSession.IOptions) {
    this.notebook = { ...options.notebook, cells: options.notebook.cells.map((cell) => ({ ...cell })) };
    this.loadAnalyzer = options.loadAnalyzer;
  }

  get name(): string {
    return this.notebook.name;
  }

  get cells(): readonly NotebookCell[] {
    return this.notebook.cells;
  }

  /** The data-flow graph of the notebook as it is now; the analyzer is loaded and built on the first call. */
  async graph(): Promise<PipelineGraph> {
    if (!this.analyzer) {
      const Analyzer = await this.loadAnalyzer();
      // Edits made while the analyzer loaded are already in the snapshot it starts from.
      this.analyzer ??= new Analyzer({ notebook: this.notebook });
    }
    return this.analyzer.graph;
  }

  /** The notebook as core's compilers take it. */
  get snapshot(): Notebook {
    return this.notebook;
  }

  /** Every step name in the notebook, as written, in order (offered in the tag quick pick). */
  get stepNames(): string[] {
    return this.membership.membership.steps.map((step) => step.displayName);
  }

  /** What the cell is for (step, skip, parameters, …) and, for step cells, which step runs it. */
  roleOf(cellId: string): CellMembership | undefined {
    return this.membership.byCell.get(cellId);
  }

  hasCell(cellId: string): boolean {
    return this.notebook.cells.some((cell) => cell.id === cellId);
  }

  updateCell(cellId: string, change: { source?: string; tags?: string[] }): void {
    const index = this.notebook.cells.findIndex((cell) => cell.id === cellId);
    const cell = this.notebook.cells[index];
    if (!cell) throw new Error(`${this.notebook.name}: no cell with id ${cellId}`);
    const updated = {
      ...cell,
      ...(change.source !== undefined && { source: change.source }),
      ...(change.tags && { tags: [...change.tags] }),
    };
    this.notebook = { ...this.notebook, cells: this.notebook.cells.map((each, at) => (at === index ? updated : each)) };
    this.analyzer?.updateCell(cellId, change);
    this.membershipCache = undefined;
  }

  setCells(cells: NotebookCell[]): void {
    this.notebook = { ...this.notebook, cells: cells.map((cell, index) => ({ ...cell, index })) };
    this.analyzer?.setCells(this.notebook.cells);
    this.membershipCache = undefined;
  }

  private get membership(): { membership: Membership; byCell: Map<string, CellMembership> } {
    if (!this.membershipCache) {
      const membership = assignCells(this.notebook);
      this.membershipCache = {
        membership,
        byCell: new Map(membership.cells.map((member) => [member.cell.id, member])),
      };
    }
    return this.membershipCache;
  }
}

export namespace NotebookSession {
  export interface IOptions {
    notebook: Notebook;
    /** core's `NotebookAnalyzer` class, loaded on the first graph request (it parses Python: heavy to load). */
    loadAnalyzer: () => Promise<typeof NotebookAnalyzer>;
  }
}
