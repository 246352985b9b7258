import { buildNotebook, notebookToJson } from './builder.js';
import { NotebookInputError, readNotebook } from './read.js';

const nb = (body: object): string => JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, ...body });

function errorOf(json: string): NotebookInputError {
  try {
    readNotebook(json, 'x.ipynb');
  } catch (error) {
    if (error instanceof NotebookInputError) return error;
    throw error;
  }
  throw new Error('expected a NotebookInputError');
}

describe('readNotebook', () => {
  test('reads string and list sources, tags, ids and derived ids', () => {
    const notebook = readNotebook(
      nb({
        cells: [
          { id: 'abc', cell_type: 'code', source: ['a = 1\n', 'b = 2'], metadata: { tags: ['step:load', ' skip '] } },
          { cell_type: 'markdown', source: '# hi', metadata: {} },
        ],
      }),
      'x.ipynb',
    );
    expect(notebook.cells).toEqual([
      { id: 'abc', index: 0, cellType: 'code', source: 'a = 1\nb = 2', tags: ['step:load', 'skip'] },
      { id: 'cell-1', index: 1, cellType: 'markdown', source: '# hi', tags: [] },
    ]);
    expect(notebook.language).toBe('python');
  });

  test('round-trips the builder', () => {
    const built = buildNotebook([{ source: 'x = 1', tags: ['step:a'] }, 'y = x'], {
      name: 'r.ipynb',
      settings: { image: 'py:3' },
    });
    expect(readNotebook(notebookToJson(built), 'r.ipynb')).toEqual(built);
  });

  test('reads cellpipe and Kale settings and the kernel language', () => {
    const notebook = readNotebook(
      nb({
        metadata: {
          kernelspec: { language: 'R' },
          kubeflow_notebook: {
            docker_image: 'kale:1',
            pipeline_name: 'kp',
            steps_defaults: ['label:team:ml', 'limit:memory:1Gi'],
          },
          cellpipe: { name: 'cp', stepDefaults: { retries: 2 } },
        },
        cells: [],
      }),
      'x.ipynb',
    );
    expect(notebook.settings).toEqual({
      image: 'kale:1',
      name: 'cp',
      stepDefaults: { labels: { team: 'ml' }, limits: { memory: '1Gi' }, retries: 2 },
    });
    expect(notebook.language).toBe('r');
  });

  test.each([
    ['{"cells": [', /^x\.ipynb: invalid JSON at line 1, column 12/],
    ['{\n  "cells": [,]}', /^x\.ipynb: invalid JSON at line 2, column \d+/],
    ['[]', /must be a JSON object/],
    [
      JSON.stringify({ nbformat: 3, worksheets: [] }),
      /nbformat 3 is not supported; convert it with 'jupyter nbconvert --to notebook --nbformat 4 x\.ipynb'/,
    ],
    [JSON.stringify({ nbformat: 4, metadata: {} }), /missing field 'cells'/],
    [nb({ cells: {} }), /field 'cells' must be a list/],
    [nb({ cells: [42] }), /cell 1 is not an object/],
    [
      nb({ cells: [{ cell_type: 'code', source: 3 }] }),
      /cell 1 \(id cell-0\): field 'source' must be a string or a list of strings/,
    ],
    [nb({ cells: [{ cell_type: 'widget', source: '' }] }), /cell 1 \(id cell-0\): field 'cell_type'/],
    [
      nb({ cells: [{ cell_type: 'code', source: '', metadata: { tags: 'step:a' } }] }),
      /field 'metadata.tags' must be a list of strings/,
    ],
    [
      nb({
        cells: [
          { id: 'a', cell_type: 'code', source: '' },
          { id: 'a', cell_type: 'code', source: '' },
        ],
      }),
      /cell 2 \(id a\) repeats the id of cell 1/,
    ],
    [
      nb({ metadata: { cellpipe: { stepDefaults: { retries: -1 } } }, cells: [] }),
      /field 'metadata.cellpipe.stepDefaults.retries'/,
    ],
    [
      nb({ metadata: { kubeflow_notebook: { steps_defaults: ['limit:memory:lots'] } }, cells: [] }),
      /steps_defaults.*not a Kubernetes quantity/,
    ],
  ])('rejects %s with a one-line reason', (json, pattern) => {
    const error = errorOf(json);
    expect(error.message).toMatch(pattern);
    expect(error.message).not.toContain('\n');
  });

  test('names the cell on cell errors', () => {
    const error = errorOf(
      nb({
        cells: [
          { cell_type: 'code', source: '' },
          { id: 'q', cell_type: 'code', source: [1] },
        ],
      }),
    );
    expect(error).toMatchObject({ cellId: 'q', cellIndex: 1 });
  });

  test('reads a 10 MB notebook', () => {
    const source = ('values = [' + '1, '.repeat(40) + ']\n').repeat(40);
    const count = Math.ceil(10_500_000 / source.length);
    const cells = Array.from({ length: count }, (_, i) => ({
      id: `c${i}`,
      cell_type: 'code',
      source,
      metadata: { tags: i % 100 === 0 ? [`step:s${i}`] : [] },
    }));
    const json = nb({ cells });
    expect(json.length).toBeGreaterThan(10_000_000);
    const notebook = readNotebook(json, 'big.ipynb');
    expect(notebook.cells).toHaveLength(count);
    expect(notebook.cells[100]?.tags).toEqual(['step:s100']);
  });
});
