import { inflateSync } from 'node:zlib';

import { parse } from 'yaml';

import { analyzeNotebook } from '../../graph/build.js';
import { buildNotebook } from '../../notebook/builder.js';
import { NotebookInputError } from '../../notebook/read.js';
import type { Bundle } from './bundle.js';
import { ARGO_BUNDLE_TASK, ARGO_ENTRYPOINT, compileArgo } from './compile.js';
import { longPipeline, samplePipeline } from './samples.js';

const runtimeFiles = { 'cellpipe/__init__.py': '', 'cellpipe/runtime.py': 'print("runtime {{not argo}}")\n' };

interface Template {
  name: string;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  inputs?: { artifacts?: { name: string; path: string; raw?: { data: string } }[] };
  outputs?: {
    artifacts?: { name: string; path: string }[];
    parameters?: { name: string; valueFrom: { path: string }; globalName?: string }[];
  };
  container?: { image: string; command: string[]; args?: string[]; resources?: { limits: Record<string, string> } };
  dag?: {
    tasks: {
      name: string;
      template: string;
      depends?: string;
      arguments?: { artifacts: { name: string; from: string }[] };
    }[];
  };
  retryStrategy?: { limit: string };
  activeDeadlineSeconds?: string;
  memoize?: { key: string; cache: { configMap: { name: string } } };
}

function decodeBundle(data: string): Bundle {
  return JSON.parse(inflateSync(Buffer.from(data, 'base64')).toString('utf8')) as Bundle;
}

function compileSample(options: Partial<Parameters<typeof compileArgo>[2]> = {}) {
  const { notebook, graph } = samplePipeline();
  const text = compileArgo(notebook, graph, { runtimeFiles, ...options });
  const workflow = parse(text) as {
    metadata: Record<string, string>;
    spec: {
      entrypoint: string;
      serviceAccountName?: string;
      arguments: { parameters: { name: string; value: string; enum?: string[] }[] };
      templates: Template[];
    };
  };
  const template = (name: string): Template => {
    const found = workflow.spec.templates.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no template ${name}`);
    return found;
  };
  const bundleData = template(ARGO_BUNDLE_TASK).inputs?.artifacts?.[0]?.raw?.data ?? '';
  return { text, workflow, template, bundleData, bundle: decodeBundle(bundleData) };
}

describe('compileArgo', () => {
  it('has one DAG task and one template per step, plus the bundle task, wired by the inferred edges', () => {
    const { workflow, template } = compileSample();
    expect(workflow.spec.entrypoint).toBe(ARGO_ENTRYPOINT);
    const tasks = template(ARGO_ENTRYPOINT).dag?.tasks ?? [];
    expect(tasks.map((task) => task.name)).toEqual([ARGO_BUNDLE_TASK, 'load', 'prep', 'train', 'report']);
    expect(tasks.find((task) => task.name === 'train')?.depends).toBe('prep && load');
    expect(tasks.find((task) => task.name === 'load')?.depends).toBe(ARGO_BUNDLE_TASK);
    for (const step of ['load', 'prep', 'train', 'report']) expect(template(step).container?.image).toBeDefined();
  });

  it('passes values as artifacts at the paths the step specs load them from', () => {
    const { template, bundle } = compileSample();
    const report = template('report');
    expect(report.inputs?.artifacts?.map((artifact) => [artifact.name, artifact.path])).toEqual([
      ['bundle', '/cellpipe/bundle'],
      ['in-train', '/cellpipe/in/train'],
      ['in-load', '/cellpipe/in/load'],
    ]);
    const loads = bundle.pipeline.steps['report']?.prepare.filter((action) => action.action === 'load');
    // Relative to /cellpipe, the bundle's parent folder, where cellpipe_step.py resolves them.
    expect(loads?.map((action) => action.action === 'load' && `/cellpipe/${action.dir}`)).toEqual([
      '/cellpipe/in/train',
      '/cellpipe/in/load',
    ]);
    expect(template('load').outputs?.artifacts).toEqual([{ name: 'out', path: '/cellpipe/out' }]);
    expect(template('report').outputs).toBeUndefined();
    const task = template(ARGO_ENTRYPOINT).dag?.tasks.find((candidate) => candidate.name === 'report');
    expect(task?.arguments?.artifacts).toContainEqual({
      name: 'in-train',
      from: '{{tasks.train.outputs.artifacts.out}}',
    });
  });

  it('passes the global RNG state and files between steps in the output folders', () => {
    const notebook = buildNotebook([
      { source: 'import numpy as np\nnp.random.seed(0)', tags: ['step:seed'] },
      {
        source: 'import pandas as pd\npd.DataFrame({"x": np.random.rand(3)}).to_csv("data/clean.csv")',
        tags: ['step:write'],
      },
      { source: 'frame = pd.read_csv("data/clean.csv")', tags: ['step:read'] },
    ]);
    const workflow = parse(compileArgo(notebook, analyzeNotebook(notebook), { runtimeFiles })) as {
      spec: { templates: Template[] };
    };
    const template = (name: string): Template | undefined => workflow.spec.templates.find((t) => t.name === name);
    for (const step of ['seed', 'write', 'read'])
      expect(template(step)?.outputs?.artifacts).toEqual([{ name: 'out', path: '/cellpipe/out' }]);
    expect(template('read')?.inputs?.artifacts?.map((artifact) => artifact.name)).toEqual(['bundle', 'in-write']);
    expect(template('write')?.inputs?.artifacts?.map((artifact) => artifact.name)).toEqual(['bundle', 'in-seed']);
    const bundle = decodeBundle(template(ARGO_BUNDLE_TASK)?.inputs?.artifacts?.[0]?.raw?.data ?? '');
    expect(bundle.pipeline.steps['read']?.files).toEqual({
      import: [{ path: 'data/clean.csv', from: 'write', dir: 'in/write' }],
    });
    expect(bundle.pipeline.steps['write']?.files).toEqual({ export: ['data/clean.csv'] });
    expect(bundle.pipeline.steps['write']?.randomState).toEqual({ from: 'seed', dir: 'in/seed' });
  });

  it('turns pipeline parameters into workflow arguments that the steps read at run time', () => {
    const { workflow, template } = compileSample({ parameters: { factor: 4 } });
    const byName = Object.fromEntries(
      workflow.spec.arguments.parameters.map((parameter) => [parameter.name, parameter]),
    );
    expect(byName['factor']?.value).toBe('4');
    expect(byName['label']?.value).toBe('weekly run');
    expect(byName['flags']?.value).toBe('[1,2]');
    expect(byName['opts']?.value).toBe('{"a":true}');
    expect(byName['enabled']).toMatchObject({ value: 'false', enum: ['true', 'false'] });
    const command = template(ARGO_BUNDLE_TASK).container?.command ?? [];
    const at = command.indexOf('factor');
    expect(command.slice(at - 1, at + 2)).toEqual(['--param', 'factor', '{{workflow.parameters.factor}}']);
    expect(command.filter((arg) => arg === '--param')).toHaveLength(6);
    expect(template('prep').container?.command).toEqual([
      'python3',
      '/cellpipe/bundle/cellpipe_step.py',
      '--step',
      'prep',
      '--out',
      '/cellpipe/out',
    ]);
  });

  it('maps step settings to resources, retries, deadlines, pod metadata, images and caching', () => {
    const { template } = compileSample({ image: 'registry.example/ml:1' });
    const train = template('train');
    expect(train.container?.resources?.limits).toEqual({ 'nvidia.com/gpu': '1', memory: '2Gi' });
    expect(train.retryStrategy?.limit).toBe('2');
    expect(train.activeDeadlineSeconds).toBe('90');
    expect(train.metadata?.labels).toEqual({ team: 'ml' });
    expect(train.container?.image).toBe('registry.example/ml:1');
    expect(train.memoize?.cache.configMap.name).toBe('cellpipe-cache');
    expect(train.memoize?.key).toMatch(
      /^cellpipe-[0-9a-f]{16}-\{\{workflow\.outputs\.parameters\.cellpipe-params\}\}$/,
    );
    expect(template('load').memoize?.key).toMatch(/^cellpipe-[0-9a-f]{16}$/);
    expect(template(ARGO_BUNDLE_TASK).outputs?.parameters).toEqual([
      {
        name: 'parameters-digest',
        valueFrom: { path: '/cellpipe/parameters.sha256' },
        globalName: 'cellpipe-params',
      },
    ]);
    const report = template('report');
    expect(report.memoize).toBeUndefined();
    expect(report.container?.image).toBe('python:3.12-slim');
    expect(report.metadata?.annotations).toEqual({ note: 'weekly report' });
  });

  it('changes a consumer memo key when a producer changes', () => {
    const first = compileSample().template('train').memoize?.key;
    const { notebook, graph } = samplePipeline();
    notebook.cells[2]!.source = 'data = [1, 2, 3, 4]';
    const changed = parse(compileArgo(notebook, graph, { runtimeFiles })) as { spec: { templates: Template[] } };
    expect(changed.spec.templates.find((t) => t.name === 'train')?.memoize?.key).not.toBe(first);
  });

  it('reports metrics as an output parameter read from a file the step writes', () => {
    const { template } = compileSample();
    expect(template('train').outputs?.parameters).toEqual([
      { name: 'metrics', valueFrom: { path: '/cellpipe/metrics.json', default: '{}' } },
    ]);
    expect(template('train').container?.command).toEqual(
      expect.arrayContaining(['--metrics-file', '/cellpipe/metrics.json']),
    );
  });

  it('ships the runtime and specs once, compressed, with no {{ left for Argo to substitute', () => {
    const { text, bundleData, bundle } = compileSample();
    expect(bundleData).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(text).not.toContain('scaled = [scale');
    expect(bundle.files['cellpipe/runtime.py']).toBe(runtimeFiles['cellpipe/runtime.py']);
    expect(bundle.pipeline.steps['prep']?.cells[0]?.source).toContain('# {{ not a placeholder }}');
    expect(bundle.pipeline.definitions).toEqual([
      { names: ['scale'], source: expect.stringContaining('def scale'), cellId: 'c3', cellIndex: 3 },
    ]);
    expect(bundle.pipeline.steps['train']?.firstCellIndex).toBe(5);
  });

  it('keeps cell text out of the commands: steps run the bundled entry script with fixed arguments', () => {
    const { template } = compileSample();
    for (const name of ['load', 'prep', 'train', 'report']) {
      const container = template(name).container;
      expect(container?.command.slice(0, 2)).toEqual(['python3', '/cellpipe/bundle/cellpipe_step.py']);
      expect(container?.command.join(' ')).not.toMatch(/scale|sum\(|print/);
    }
  });

  it('sets namespace, service account and name prefix', () => {
    const { workflow } = compileSample({ namespace: 'ml', serviceAccount: 'runner', name: 'nightly' });
    expect(workflow.metadata).toEqual({ generateName: 'nightly-', namespace: 'ml' });
    expect(workflow.spec.serviceAccountName).toBe('runner');
  });

  it('rejects bad input with one line naming the step and field', () => {
    const { notebook, graph } = samplePipeline();
    graph.steps[2]!.settings.labels = { team: 'machine learning' };
    expect(() => compileArgo(notebook, graph, { runtimeFiles })).toThrow(NotebookInputError);
    expect(() => compileArgo(notebook, graph, { runtimeFiles })).toThrow(
      /cell 6 \(id c5\), step 'train', label 'team'/,
    );
    graph.steps[2]!.settings = { limits: { cpu: 'lots' } };
    expect(() => compileArgo(notebook, graph, { runtimeFiles })).toThrow(
      /limit 'cpu'.*'lots' is not a Kubernetes quantity/,
    );
    graph.steps[2]!.settings = { annotations: { note: 'hi {{workflow.name}}' } };
    expect(() => compileArgo(notebook, graph, { runtimeFiles })).toThrow(/annotation 'note'.*'\{\{' is not allowed/);
  });

  it('rejects parameter overrides of an unknown name or another kind', () => {
    const { notebook, graph } = samplePipeline();
    expect(() => compileArgo(notebook, graph, { runtimeFiles, parameters: { speed: 1 } })).toThrow(
      /unknown parameter 'speed'/,
    );
    expect(() => compileArgo(notebook, graph, { runtimeFiles, parameters: { epochs: 'many' } })).toThrow(
      /parameter 'epochs' must be an integer, got "many"/,
    );
  });

  it('rejects a parameter default that Argo would substitute', () => {
    const { notebook, graph } = samplePipeline();
    graph.parameters['label'] = 'run {{workflow.name}}';
    expect(() => compileArgo(notebook, graph, { runtimeFiles })).toThrow(/parameter 'label'.*'\{\{' is not allowed/);
  });

  it('rejects a parameter name Argo cannot carry', () => {
    const { notebook, graph } = samplePipeline();
    graph.parameters['taux_réel'] = 0.5;
    expect(() => compileArgo(notebook, graph, { runtimeFiles })).toThrow(
      /parameter 'taux_réel' cannot be an Argo parameter name/,
    );
  });

  it('rejects a notebook without steps and reserved step names', () => {
    const { notebook, graph } = samplePipeline();
    expect(() => compileArgo(notebook, { ...graph, steps: [] }, { runtimeFiles })).toThrow(/no steps to compile/);
    graph.steps[0]!.name = ARGO_BUNDLE_TASK;
    expect(() => compileArgo(notebook, graph, { runtimeFiles })).toThrow(/reserved/);
  });

  it('keeps per-step templates small: shared definitions are stored once', () => {
    const { notebook, graph } = longPipeline(200);
    const workflow = parse(compileArgo(notebook, graph, { runtimeFiles })) as { spec: { templates: Template[] } };
    const bundle = decodeBundle(workflow.spec.templates[1]?.inputs?.artifacts?.[0]?.raw?.data ?? '');
    expect(JSON.stringify(bundle).split('def transform_0(value)').length - 1).toBe(2);
    expect(JSON.stringify(workflow.spec.templates.slice(2))).not.toContain('transform_');
  });
});
