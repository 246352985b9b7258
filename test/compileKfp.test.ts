import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { analyzeNotebook, compileKfp, graphErrors, readNotebook } from '../packages/core/src/index.js';
import { samplePipeline } from '../packages/core/src/compile/argo/samples.js';
import { runtimeFiles } from '../packages/core/src/compile/step/runtimeFiles.js';

const repo = join(import.meta.dirname, '..');
const python = join(repo, '.venv', 'bin', 'python');
const runtime = runtimeFiles();

interface CheckResult {
  file: string;
  ok: boolean;
  error?: string;
  tasks?: string[];
  inputs?: Record<string, string>;
  platforms?: string[];
}

/** Runs kfp's loader (and a strict protobuf parse of the executors) over compiled files, in one Python process. */
function checkWithKfp(files: Record<string, string>): Map<string, CheckResult> {
  const folder = mkdtempSync(join(tmpdir(), 'cellpipe-kfp-'));
  try {
    const paths = Object.entries(files).map(([name, text]) => {
      const path = join(folder, `${name.replace(/[^A-Za-z0-9_-]+/g, '_')}.yaml`);
      writeFileSync(path, text);
      return [name, path] as const;
    });
    const output = execFileSync(
      python,
      [join(repo, 'test/schemas/kfp/check_pipeline.py'), ...paths.map(([, path]) => path)],
      { encoding: 'utf8' },
    );
    const byPath = new Map(
      output
        .trim()
        .split('\n')
        .map((line) => {
          const result = JSON.parse(line) as CheckResult;
          return [result.file, result] as const;
        }),
    );
    return new Map(paths.map(([name, path]) => [name, byPath.get(path)!]));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function notebooksIn(folder: string): string[] {
  return readdirSync(join(repo, folder), { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ipynb') && !path.includes('.ipynb_checkpoints'))
    .map((path) => join(folder, path))
    .sort();
}

describe('compiled KFP pipelines, checked by kfp itself', () => {
  const real = [...notebooksIn('examples'), ...notebooksIn('test/corpus')]
    .map((path) => {
      const notebook = readNotebook(readFileSync(join(repo, path), 'utf8'), path);
      return { path, notebook, graph: analyzeNotebook(notebook) };
    })
    .filter(({ graph }) => graph.steps.length > 0 && graphErrors(graph).length === 0);

  const sample = samplePipeline();
  const broken = compileKfp(sample.notebook, sample.graph, { runtimeFiles: runtime }).replace(
    'resourceMemoryLimit',
    'resourceMemoryLimt',
  );
  const results = checkWithKfp({
    sample: compileKfp(sample.notebook, sample.graph, {
      runtimeFiles: runtime,
      parameters: { flags: ['a'], opts: {} },
    }),
    broken,
    ...Object.fromEntries(
      real.map(({ path, notebook, graph }) => [path, compileKfp(notebook, graph, { runtimeFiles: runtime })]),
    ),
  });

  it('loads the examples and the corpus with a task per step plus the bundle task', () => {
    expect(real.map(({ path }) => path)).toEqual(
      expect.arrayContaining(['examples/wine/wine.ipynb', 'examples/word-stats/word_stats.ipynb']),
    );
    for (const { path, graph } of real) {
      const result = results.get(path);
      expect({ path, ok: result?.ok, error: result?.error }).toEqual({ path, ok: true, error: undefined });
      expect(new Set(result?.tasks)).toEqual(new Set(['cellpipe-bundle', ...graph.steps.map((step) => step.name)]));
    }
  });

  it('gives kfp typed pipeline inputs and the Kubernetes platform spec', () => {
    const result = results.get('sample');
    expect(result?.ok).toBe(true);
    expect(result?.inputs).toEqual({
      factor: 'Float',
      epochs: 'Integer',
      label: 'String',
      flags: 'List',
      opts: 'Dict',
      enabled: 'Boolean',
    });
    expect(result?.platforms).toEqual(['kubernetes']);
  });

  it('would reject a misspelt executor field (the check is not vacuous)', () => {
    expect(results.get('broken')).toMatchObject({ ok: false, error: expect.stringContaining('resourceMemoryLimt') });
  });
});
