import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNotebook } from '../../notebook/builder.js';
import { analyzeNotebook } from '../../graph/build.js';
import { analyzeWithCache } from './analysisCache.js';

describe('analyzeWithCache', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cellpipe-analysis-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const notebook = (source: string) =>
    buildNotebook([
      { source: 'x = 1', tags: ['step:a'] },
      { source, tags: ['step:b'] },
    ]);

  test('an unchanged notebook gets the saved analysis; an edited one is analysed afresh', () => {
    const first = analyzeWithCache(notebook('print(x)'), 'text-1', dir);
    expect(existsSync(join(dir, 'cache'))).toBe(false);
    first.keep();
    expect(readdirSync(join(dir, 'cache', 'analysis'))).toHaveLength(1);

    // The notebook's text is the key: the same text gives the saved analysis without analysing what it is given.
    const again = analyzeWithCache(notebook('y = 2'), 'text-1', dir);
    expect(again.graph).toEqual(JSON.parse(JSON.stringify(first.graph)));
    expect(again.graph.steps.find((step) => step.name === 'b')?.inputs).toEqual([
      { name: 'x', from: 'a', kind: 'value' },
    ]);

    const edited = analyzeWithCache(notebook('y = 2'), 'text-2', dir);
    expect(edited.graph).toEqual(analyzeNotebook(notebook('y = 2')));
    expect(edited.graph.steps.find((step) => step.name === 'b')?.inputs).toEqual([]);
    edited.keep();
    expect(readdirSync(join(dir, 'cache', 'analysis'))).toHaveLength(1);
  });
});
