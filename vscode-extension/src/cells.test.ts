import type * as vscode from 'vscode';
import { withStepTag } from '@cellpipe/core';
import { cellId, cellTags, metadataWithTags, toCoreCell, type CellLike } from './cells.js';

/** A cell shaped like the ones VS Code's ipynb serializer hands to extensions (`vscode.NotebookCell` fields). */
function cell(
  metadata: Record<string, unknown>,
  index = 3,
  text = 'x = 1',
  kind: vscode.NotebookCellKind = 2,
): CellLike {
  return { index, kind, metadata, document: { getText: () => text, languageId: 'python' } };
}

describe('cell tags in VS Code notebook metadata', () => {
  it('reads tags from the nbformat metadata VS Code keeps under metadata.metadata', () => {
    expect(cellTags(cell({ id: 'a', metadata: { tags: ['step:load', 'prev:x'] } }))).toEqual(['step:load', 'prev:x']);
  });

  it('reads tags from the older metadata.custom.metadata location', () => {
    expect(cellTags(cell({ custom: { metadata: { tags: ['skip'] } } }))).toEqual(['skip']);
  });

  it('ignores tags that are not strings and metadata without tags', () => {
    expect(cellTags(cell({ metadata: { tags: ['skip', 3, null] } }))).toEqual(['skip']);
    expect(cellTags(cell({}))).toEqual([]);
  });

  it('writes tags back where they were read, keeping every other field', () => {
    const metadata = { id: 'a', execution_count: 4, metadata: { tags: ['step:load'], collapsed: true } };
    const written = metadataWithTags(metadata, withStepTag(cellTags(cell(metadata)), 'train'));
    expect(written).toEqual({ id: 'a', execution_count: 4, metadata: { tags: ['step:train'], collapsed: true } });
    expect(metadata.metadata.tags).toEqual(['step:load']);
  });

  it('writes into the legacy custom location for notebooks opened that way', () => {
    const written = metadataWithTags({ custom: { metadata: { tags: [] }, id: 'z' } }, ['skip']);
    expect(written).toEqual({ custom: { metadata: { tags: ['skip'] }, id: 'z' } });
  });

  it('removes the tags key instead of writing an empty list', () => {
    expect(metadataWithTags({ metadata: { tags: ['skip'], other: 1 } }, [])).toEqual({ metadata: { other: 1 } });
  });
});

describe('adapting cells to core', () => {
  it('uses the nbformat id, else the id core derives from the position', () => {
    expect(cellId(cell({ id: 'abc' }))).toBe('abc');
    expect(cellId(cell({}, 7))).toBe('cell-7');
  });

  it('converts code and markdown cells with their source and tags', () => {
    expect(toCoreCell(cell({ id: 'c', metadata: { tags: ['step:a'] } }, 0, 'y = 2'))).toEqual({
      id: 'c',
      index: 0,
      cellType: 'code',
      source: 'y = 2',
      tags: ['step:a'],
    });
    expect(toCoreCell(cell({ id: 'm' }, 1, '# Title', 1)).cellType).toBe('markdown');
  });
});
