import type { CellType, CellpipeNotebookSettings, Notebook } from './model.js';

/** A cell for `buildNotebook`: just the source (a code cell), or the fields that matter. */
export type CellSketch = string | { source: string; tags?: string[]; cellType?: CellType; id?: string };

/** Builds an in-memory notebook for tests and tools; cell ids are `cell-<index>` unless given. */
export function buildNotebook(
  cells: CellSketch[],
  options: { name?: string; settings?: CellpipeNotebookSettings; language?: string } = {},
): Notebook {
  return {
    name: options.name ?? 'test.ipynb',
    settings: options.settings ?? {},
    language: options.language ?? 'python',
    cells: cells.map((sketch, index) => {
      const cell = typeof sketch === 'string' ? { source: sketch } : sketch;
      return {
        id: cell.id ?? `cell-${index}`,
        index,
        cellType: cell.cellType ?? 'code',
        source: cell.source,
        tags: cell.tags ?? [],
      };
    }),
  };
}

/** The nbformat-4 JSON of a notebook, as `readNotebook` reads it back. */
export function notebookToJson(notebook: Notebook): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: notebook.language },
      ...(Object.keys(notebook.settings).length > 0 ? { cellpipe: notebook.settings } : {}),
    },
    cells: notebook.cells.map((cell) => ({
      id: cell.id,
      cell_type: cell.cellType,
      metadata: cell.tags.length > 0 ? { tags: cell.tags } : {},
      source: cell.source,
      ...(cell.cellType === 'code' ? { outputs: [], execution_count: null } : {}),
    })),
  });
}
