import type { CellType, Notebook, NotebookCell } from '@cellpipe/core';

/** The editor-independent view of one cell that the glue reads from JupyterLab's cell models. */
export interface CellSnapshot {
  id: string;
  cellType: string;
  source: string;
  tags: unknown;
}

/** Converts editor cells to core's `NotebookCell`s (ids kept, indexes from order, bad tag metadata dropped). */
export function toCoreCells(cells: readonly CellSnapshot[]): NotebookCell[] {
  return cells.map((cell, index) => ({
    id: cell.id,
    index,
    cellType: Private.cellType(cell.cellType),
    source: cell.source,
    tags: Array.isArray(cell.tags) ? cell.tags.filter((tag): tag is string => typeof tag === 'string') : [],
  }));
}

/** A core `Notebook` for an open document; `language` from the kernelspec metadata. */
export function toCoreNotebook(name: string, cells: readonly CellSnapshot[], language = 'python'): Notebook {
  return { name, cells: toCoreCells(cells), settings: {}, language };
}

namespace Private {
  export function cellType(type: string): CellType {
    return type === 'markdown' || type === 'raw' ? type : 'code';
  }
}
