import { jest } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeNotebook, graphToJson, readNotebook } from '../packages/core/src/index.js';
import { buildCli, notebookFolder, runCli } from './cliHarness.js';

jest.setTimeout(60_000);
beforeAll(buildCli);

describe('cellpipe graph', () => {
  const cells = [
    { source: 'import math', tags: [] },
    { source: 'radius = 2', tags: ['pipeline-parameters'] },
    { source: 'area = math.pi * radius ** 2', tags: ['step:area'] },
    { source: 'perimeter = 2 * math.pi * radius', tags: ['step:perimeter'] },
    { source: 'ratio = area / perimeter\nprint(undefined_name)', tags: ['step:ratio'] },
  ];

  it('--json prints exactly graphToJson', async () => {
    const { dir, notebook } = notebookFolder(cells);
    const result = await runCli(['graph', 'nb.ipynb', '--json'], dir);
    expect(result.code).toBe(0);
    const expected = graphToJson(analyzeNotebook(readNotebook(readFileSync(notebook, 'utf8'), 'nb.ipynb')));
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('renders steps, the names flowing along each edge, parameters and warnings as text', async () => {
    const { dir } = notebookFolder(cells);
    const result = await runCli(['graph', 'nb.ipynb'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^pipeline nb: 3 steps$/m);
    expect(result.stdout).toMatch(/^ratio {2}\[1 cell\]\n {2}<- area: area\n {2}<- perimeter: perimeter$/m);
    expect(result.stdout).toContain('  radius = 2');
    expect(result.stdout).toMatch(/^warnings:\n {2}warning unresolved-name: cell 5 \(id cell-4\)/m);
  });

  it('reports unreadable and malformed notebooks in one line with exit 2', async () => {
    const { dir } = notebookFolder(cells);
    writeFileSync(join(dir, 'broken.ipynb'), '{"cells": 3}');
    for (const args of [['graph', 'missing.ipynb'], ['graph', 'broken.ipynb'], ['graph']]) {
      const result = await runCli(args, dir);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect((await runCli(['graph', 'broken.ipynb'], dir)).stderr).toBe(
      "cellpipe: broken.ipynb: field 'cells' must be a list\n",
    );
  });
});

describe('cellpipe help and dispatch', () => {
  it('prints help for the program and every command, and rejects unknown commands', async () => {
    const { dir } = notebookFolder(['x = 1']);
    const overview = await runCli(['--help'], dir);
    expect(overview.code).toBe(0);
    for (const name of ['run', 'graph', 'compile', 'verify', 'serve']) {
      expect(overview.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
      const help = await runCli([name, '--help'], dir);
      expect({ name, code: help.code }).toEqual({ name, code: 0 });
      expect(help.stdout).toMatch(new RegExp(`^Usage: cellpipe ${name}`));
    }
    const unknown = await runCli(['explode'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      "cellpipe: unknown command 'explode' (commands: run, graph, compile, verify, serve, submit, runs, logs, cancel, retry)\n",
    );
    expect((await runCli([], dir)).code).toBe(2);
  });
});
