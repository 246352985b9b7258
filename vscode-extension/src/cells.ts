import type * as vscode from 'vscode';
import type { CellType, NotebookCell as CoreCell } from '@cellpipe/core';

/**
 * Where cellpipe's tags live on a VS Code notebook cell: the ipynb serializer keeps the nbformat cell metadata
 * under `cell.metadata.metadata` (older VS Code builds: `cell.metadata.custom.metadata`), so tags written here land
 * in `cells[i].metadata.tags` of the saved file, where JupyterLab and Kale read them.
 */
export type CellLike = Pick<vscode.NotebookCell, 'index' | 'kind' | 'metadata'> & {
  document: Pick<vscode.TextDocument, 'getText' | 'languageId'>;
};

type Metadata = Record<string, unknown>;

/** The cell's tags, in order; never throws on odd metadata. */
export function cellTags(cell: Pick<vscode.NotebookCell, 'metadata'>): string[] {
  const tags = Private.nbformatMetadata(cell.metadata)?.['tags'];
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
}

/** The nbformat 4.5 cell id, or the id core derives for older notebooks from the cell's position. */
export function cellId(cell: Pick<vscode.NotebookCell, 'metadata' | 'index'>): string {
  const id = (cell.metadata as Metadata | undefined)?.['id'];
  return typeof id === 'string' && id.length > 0 ? id : `cell-${cell.index}`;
}

/** A copy of `metadata` with the tags replaced (the key removed when empty), every other field kept. */
export function metadataWithTags(metadata: Metadata, tags: readonly string[]): Metadata {
  const legacy = Private.isObject(metadata['custom']) && !Private.isObject(metadata['metadata']);
  const container = legacy ? { ...(metadata['custom'] as Metadata) } : metadata;
  const inner: Metadata = { ...(Private.isObject(container['metadata']) ? (container['metadata'] as Metadata) : {}) };
  if (tags.length > 0) inner['tags'] = [...tags];
  else delete inner['tags'];
  return legacy ? { ...metadata, custom: { ...container, metadata: inner } } : { ...metadata, metadata: inner };
}

/** Adapts a VS Code cell to core's notebook model (the one conversion point between the two). */
export function toCoreCell(cell: CellLike): CoreCell {
  const cellType: CellType = cell.kind === Private.CODE_CELL_KIND ? 'code' : 'markdown';
  return { id: cellId(cell), index: cell.index, cellType, source: cell.document.getText(), tags: cellTags(cell) };
}

namespace Private {
  /** `vscode.NotebookCellKind.Code`, as a value so this module runs without the vscode runtime (unit tests). */
  export const CODE_CELL_KIND = 2;

  export function isObject(value: unknown): value is Metadata {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  }

  export function nbformatMetadata(metadata: unknown): Metadata | undefined {
    if (!isObject(metadata)) return undefined;
    if (isObject(metadata['metadata'])) return metadata['metadata'];
    const custom = metadata['custom'];
    return isObject(custom) && isObject(custom['metadata']) ? custom['metadata'] : undefined;
  }
}
