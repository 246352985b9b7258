import { inflateSync } from 'node:zlib';

import { parseAllDocuments } from 'yaml';

import type { Bundle } from '../argo/bundle.js';
import { samplePipeline } from '../argo/samples.js';
import { compileKfp, KFP_BUNDLE_TASK } from './compile.js';

const runtimeFiles = { 'cellpipe/__init__.py': '', 'cellpipe/runtime.py': 'print("runtime")\n' };

interface Container {
  image: string;
  command: string[];
  args: string[];
  resources?: Record<string, unknown>;
}

function compileSample(options: Partial<Parameters<typeof compileKfp>[2]> = {}) {
  const { notebook, graph } = samplePipeline();
  const documents = parseAllDocuments(compileKfp(notebook, graph, { runtimeFiles, ...options })).map((document) =>
    document.toJS(),
  );
  const spec = documents[0] as {
    pipelineInfo: { name: string };
    schemaVersion: string;
    components: Record<
      string,
      {
        inputDefinitions?: {
          parameters?: Record<string, { parameterType: string }>;
          artifacts?: Record<string, unknown>;
        };
        outputDefinitions?: { artifacts: Record<string, { artifactType: { schemaTitle: string } }> };
      }
    >;
    deploymentSpec: { executors: Record<string, { container: Container }> };
    root: {
      dag: {
        tasks: Record<
          string,
          {
            dependentTasks?: string[];
            inputs?: { artifacts?: Record<string, unknown>; parameters?: Record<string, unknown> };
            cachingOptions: Record<string, unknown>;
            retryPolicy?: { maxRetryCount: number };
          }
        >;
      };
      inputDefinitions: { parameters: Record<string, { parameterType: string; defaultValue?: unknown }> };
    };
  };
  return {
    spec,
    platform: documents[1] as
      { platforms: { kubernetes: { deploymentSpec: { executors: Record<string, unknown> } } } } | undefined,
  };
}

describe('compileKfp', () => {
  it('writes a PipelineSpec 2.1.0 with a component, executor and task per step', () => {
    const { spec } = compileSample();
    expect(spec.schemaVersion).toBe('2.1.0');
    expect(spec.pipelineInfo.name).toBe('sample');
    expect(Object.keys(spec.root.dag.tasks)).toEqual([KFP_BUNDLE_TASK, 'load', 'prep', 'train', 'report']);
    expect(Object.keys(spec.components)).toEqual([
      'comp-cellpipe-bundle',
      'comp-load',
      'comp-prep',
      'comp-train',
      'comp-report',
    ]);
    expect(spec.root.dag.tasks['train']?.dependentTasks).toEqual([KFP_BUNDLE_TASK, 'prep', 'load']);
  });

  it('types pipeline parameters from their defaults', () => {
    const { spec } = compileSample({ parameters: { epochs: 5 } });
    const types = Object.fromEntries(
      Object.entries(spec.root.inputDefinitions.parameters).map(([name, definition]) => [
        name,
        definition.parameterType,
      ]),
    );
    expect(types).toEqual({
      factor: 'NUMBER_DOUBLE',
      epochs: 'NUMBER_INTEGER',
      label: 'STRING',
      flags: 'LIST',
      opts: 'STRUCT',
      enabled: 'BOOLEAN',
    });
    expect(spec.root.inputDefinitions.parameters['epochs']?.defaultValue).toBe(5);
    expect(spec.root.inputDefinitions.parameters['opts']?.defaultValue).toEqual({ a: true });
    expect(spec.components['comp-prep']?.inputDefinitions?.parameters).toEqual({
      factor: { parameterType: 'NUMBER_DOUBLE' },
    });
    expect(spec.root.dag.tasks['prep']?.inputs?.parameters).toEqual({ factor: { componentInputParameter: 'factor' } });
  });

  it('passes values as artifacts between tasks and metrics as a system.Metrics artifact', () => {
    const { spec } = compileSample();
    expect(spec.root.dag.tasks['report']?.inputs?.artifacts).toEqual({
      bundle: { taskOutputArtifact: { producerTask: KFP_BUNDLE_TASK, outputArtifactKey: 'bundle' } },
      'in-train': { taskOutputArtifact: { producerTask: 'train', outputArtifactKey: 'out' } },
      'in-load': { taskOutputArtifact: { producerTask: 'load', outputArtifactKey: 'out' } },
    });
    expect(spec.components['comp-train']?.outputDefinitions?.artifacts['metrics']?.artifactType.schemaTitle).toBe(
      'system.Metrics',
    );
    const args = spec.deploymentSpec.executors['exec-report']?.container.args ?? [];
    expect(args).toEqual(expect.arrayContaining(['--input', 'train', "{{$.inputs.artifacts['in-train'].path}}"]));
    expect(spec.deploymentSpec.executors['exec-train']?.container.args).toEqual(
      expect.arrayContaining([
        '--metrics-artifact',
        "{{$.outputs.artifacts['metrics'].path}}",
        '--executor-input',
        '{{$}}',
      ]),
    );
  });

  it('maps resources, retries, caching, timeouts and images', () => {
    const { spec } = compileSample();
    const train = spec.deploymentSpec.executors['exec-train']?.container;
    expect(train?.resources).toEqual({
      memoryLimit: 2 ** 31 / 1e9,
      resourceMemoryLimit: '2Gi',
      accelerator: { type: 'nvidia.com/gpu', count: '1', resourceType: 'nvidia.com/gpu', resourceCount: '1' },
    });
    expect(train?.args.slice(-2)).toEqual(['--timeout', '90']);
    expect(spec.root.dag.tasks['train']?.retryPolicy).toEqual({ maxRetryCount: 2 });
    expect(spec.root.dag.tasks['train']?.cachingOptions).toEqual({ enableCache: true });
    expect(spec.root.dag.tasks['report']?.cachingOptions).toEqual({});
    expect(spec.deploymentSpec.executors['exec-report']?.container.image).toBe('python:3.12-slim');
    expect(spec.deploymentSpec.executors['exec-load']?.container.image).toBe('python:3.11-slim');
  });

  it('puts labels and annotations in a Kubernetes platform spec document', () => {
    const { platform } = compileSample();
    expect(platform?.platforms.kubernetes.deploymentSpec.executors).toEqual({
      'exec-train': { podMetadata: { labels: { team: 'ml' } } },
      'exec-report': { podMetadata: { annotations: { note: 'weekly report' } } },
    });
  });

  it('ships the runtime and specs once, in argv-sized chunks of the bundle task', () => {
    const { spec } = compileSample();
    const bundleArgs = spec.deploymentSpec.executors[`exec-${KFP_BUNDLE_TASK}`]?.container.args ?? [];
    expect(bundleArgs.slice(0, 2)).toEqual(["{{$.outputs.artifacts['bundle'].path}}", '--chunks']);
    const bundle = JSON.parse(
      inflateSync(Buffer.from(bundleArgs.slice(2).join(''), 'base64')).toString('utf8'),
    ) as Bundle;
    expect(bundle.files['cellpipe/runtime.py']).toBe(runtimeFiles['cellpipe/runtime.py']);
    expect(Object.keys(bundle.pipeline.steps)).toEqual(['load', 'prep', 'train', 'report']);
    for (const name of ['load', 'prep', 'train', 'report']) {
      expect(spec.deploymentSpec.executors[`exec-${name}`]?.container.args.join(' ')).not.toMatch(/scale|print|sum\(/);
    }
  });

  it('derives a KFP pipeline name from the notebook or option', () => {
    expect(compileSample({ name: 'Données Été 2024!' }).spec.pipelineInfo.name).toBe('donnees-ete-2024');
  });

  it('rejects two accelerators on one step', () => {
    const { notebook, graph } = samplePipeline();
    graph.steps[2]!.settings.limits = { 'nvidia.com/gpu': '1', 'amd.com/gpu': '1' };
    expect(() => compileKfp(notebook, graph, { runtimeFiles })).toThrow(
      /step 'train' limits nvidia.com\/gpu and amd.com\/gpu; KFP allows one accelerator/,
    );
  });
});
