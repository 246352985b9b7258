import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

import { analyzeNotebook, compileArgo, graphErrors, readNotebook } from '../packages/core/src/index.js';
import { longPipeline, samplePipeline } from '../packages/core/src/compile/argo/samples.js';
import { runtimeFiles } from '../packages/core/src/compile/step/runtimeFiles.js';
import { argoWorkflowValidator } from './schemas/argoSchema.js';
// @ts-expect-error the benchmarks' notebook generator is plain JavaScript without type declarations
import { pipelineNotebook } from '../bench/common/notebooks.mjs';

const validate = argoWorkflowValidator();
const runtime = runtimeFiles();
const repo = join(import.meta.dirname, '..');

function notebooksIn(folder: string): string[] {
  return readdirSync(join(repo, folder), { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ipynb') && !path.includes('.ipynb_checkpoints'))
    .map((path) => join(folder, path))
    .sort();
}

const realNotebooks = [...notebooksIn('examples'), ...notebooksIn('test/corpus')].map((path) => {
  const notebook = readNotebook(readFileSync(join(repo, path), 'utf8'), path);
  return { path, notebook, graph: analyzeNotebook(notebook) };
});
const compilable = realNotebooks.filter(({ graph }) => graph.steps.length > 0 && graphErrors(graph).length === 0);

describe('compiled Argo Workflows against Argo’s published JSON schema', () => {
  it('covers the examples and most of the corpus', () => {
    expect(compilable.map(({ path }) => path)).toEqual(
      expect.arrayContaining(['examples/wine/wine.ipynb', 'examples/word-stats/word_stats.ipynb']),
    );
    expect(compilable.length).toBeGreaterThan(realNotebooks.length / 2);
  });

  it.each(compilable.map(({ path }) => path))('%s is a valid Workflow with a template per step', (path) => {
    const { notebook, graph } = compilable.find((entry) => entry.path === path)!;
    const workflow = parse(compileArgo(notebook, graph, { runtimeFiles: runtime })) as {
      spec: { templates: { name: string }[] };
    };
    expect(validate(workflow)).toEqual([]);
    const templates = workflow.spec.templates.map((template) => template.name);
    for (const step of graph.steps) expect(templates).toContain(step.name);
  });

  it('accepts every setting and parameter kind', () => {
    const { notebook, graph } = samplePipeline();
    const options = {
      runtimeFiles: runtime,
      namespace: 'ml',
      serviceAccount: 'runner',
      image: 'registry.example/ml:1',
    };
    const workflow = parse(
      compileArgo(notebook, graph, {
        ...options,
        parameters: { factor: 0.5, flags: [], opts: { nested: { x: [1] } } },
      }),
    );
    expect(validate(workflow)).toEqual([]);
  });

  it('accepts unicode display names, long names and many inputs', () => {
    const { notebook, graph } = samplePipeline();
    graph.steps[0]!.displayName = 'données brutes ✓';
    graph.steps[3]!.name = 'r'.repeat(63);
    notebook.cells[7]!.source = 'print("naïve {{café}} ✓", total)';
    expect(validate(parse(compileArgo(notebook, graph, { runtimeFiles: runtime })))).toEqual([]);
  });

  it('would catch a misplaced field (the strict schema is not vacuous)', () => {
    const { notebook, graph } = samplePipeline();
    const workflow = parse(compileArgo(notebook, graph, { runtimeFiles: runtime })) as {
      spec: { templates: Record<string, unknown>[] };
    };
    workflow.spec.templates[2]!['retries'] = 3;
    expect(validate(workflow).join('\n')).toMatch(/additional properties/);
  });
});

describe('Argo Workflow size', () => {
  const sizes = new Map<number, { yaml: number; json: number }>();
  for (const count of [50, 500, 2000]) {
    const { notebook, graph } = longPipeline(count);
    const text = compileArgo(notebook, graph, { runtimeFiles: runtime });
    sizes.set(count, { yaml: Buffer.byteLength(text), json: Buffer.byteLength(JSON.stringify(parse(text))) });
  }

  it('keeps a 500-step notebook under 512 KiB, as YAML and as the JSON the API server stores', () => {
    const size = sizes.get(500)!;
    process.stdout.write(
      `Argo Workflow bytes (yaml/json): ${[...sizes].map(([n, s]) => `${n} steps ${s.yaml}/${s.json}`).join(', ')}\n`,
    );
    expect(size.yaml).toBeLessThan(512 * 1024);
    expect(size.json).toBeLessThan(512 * 1024);
  });

  it('grows linearly, not with the square of the step count', () => {
    const perStep = (count: number): number => (sizes.get(count)!.json - sizes.get(50)!.json) / (count - 50);
    expect(perStep(2000)).toBeLessThan(perStep(500) * 1.2);
  });

  // Submitted, the bundle travels in a ConfigMap and the Workflow must stay well inside etcd's 1.5 MiB object
  // limit; the self-contained `compile` file carries the bundle inline, so it gets 1 MiB.
  it('keeps a generated, analysed 500-step notebook (the benchmarks’ generator) small when submitted and compiled', () => {
    const notebook = readNotebook(JSON.stringify(pipelineNotebook({ steps: 500 })), 'generated-500.ipynb');
    const graph = analyzeNotebook(notebook);
    expect(graph.steps).toHaveLength(500);
    const text = compileArgo(notebook, graph, { runtimeFiles: runtime });
    const workflow = parse(text);
    const submitted = parse(compileArgo(notebook, graph, { runtimeFiles: runtime, bundleConfigMap: 'bundle' }));
    process.stdout.write(
      `generated 500-step notebook: ${Buffer.byteLength(text)} bytes YAML, ${Buffer.byteLength(JSON.stringify(workflow))} JSON, submitted ${Buffer.byteLength(JSON.stringify(submitted))} JSON\n`,
    );
    expect(Buffer.byteLength(JSON.stringify(submitted))).toBeLessThan(512 * 1024);
    expect(Buffer.byteLength(text)).toBeLessThan(1024 * 1024);
    expect(validate(workflow)).toEqual([]);
    expect(validate(submitted)).toEqual([]);
  });
});
