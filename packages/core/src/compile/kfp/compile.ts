import { Document } from 'yaml';

import type { ParameterValue, PipelineGraph, PipelineStep } from '../../graph/types.js';
import type { Notebook, StepSettings } from '../../notebook/model.js';
import { NotebookInputError } from '../../notebook/read.js';
import { buildBundle, chunks, encodeBundle, LAUNCH_PY, metricReportingSteps, UNPACK_PY } from '../argo/bundle.js';
import { DEFAULT_IMAGE, stepImage, stepSettings } from '../argo/kubernetes.js';
import { exportsFolder, folderProducers } from '../step/carried.js';
import { parameterKind, resolveParameters, type ParameterKind } from '../argo/parameters.js';

export interface KfpCompileOptions {
  /** The step runtime's Python files by relative path: `runtimeFiles()` from `@cellpipe/core/node`. */
  runtimeFiles: Record<string, string>;
  /** Image for steps without an `image:` tag; default: the notebook's image, then `python:3.11-slim`. */
  image?: string;
  /** Overrides of the `pipeline-parameters` defaults (they become the pipeline's input defaults). */
  parameters?: Record<string, ParameterValue>;
  /** Pipeline name (`pipelineInfo.name`); default: the pipeline name. */
  name?: string;
}

/** Name of the component and task that unpacks the bundle; steps cannot take it. */
export const KFP_BUNDLE_TASK = 'cellpipe-bundle';
/** Output artifact (`system.Metrics`) of each step with metrics; its metadata holds the scalar metrics. */
export const KFP_METRICS_ARTIFACT = 'metrics';

/** KFP's parameter type for each parameter kind. */
export const KFP_PARAMETER_TYPES: Record<ParameterKind, string> = {
  string: 'STRING',
  integer: 'NUMBER_INTEGER',
  number: 'NUMBER_DOUBLE',
  boolean: 'BOOLEAN',
  list: 'LIST',
  struct: 'STRUCT',
  null: 'STRING',
};

/**
 * Compiles the pipeline into a KFP v2 `PipelineSpec` (schemaVersion 2.1.0) as YAML text; when a step has
 * labels or annotations a second document holds the Kubernetes platform spec, as `kfp-kubernetes` writes it.
 */
export function compileKfp(notebook: Notebook, graph: PipelineGraph, options: KfpCompileOptions): string {
  const { pipelineSpec, platformSpec } = buildKfpPipeline(notebook, graph, options);
  const documents = [pipelineSpec, ...(platformSpec ? [platformSpec] : [])];
  return documents
    .map((document) => new Document(document, { aliasDuplicateObjects: false }).toString({ lineWidth: 0 }))
    .join('---\n');
}

export function buildKfpPipeline(
  notebook: Notebook,
  graph: PipelineGraph,
  options: KfpCompileOptions,
): { pipelineSpec: Record<string, unknown>; platformSpec?: Record<string, unknown> } {
  if (graph.steps.length === 0)
    throw new NotebookInputError(`${notebook.name}: no steps to compile (tag cells with step:NAME)`);
  if (graph.steps.some((step) => step.name === KFP_BUNDLE_TASK)) {
    throw new NotebookInputError(
      `${notebook.name}: step name '${KFP_BUNDLE_TASK}' is reserved by cellpipe; rename the step`,
    );
  }
  const parameters = resolveParameters(graph, options.parameters);
  const bundle = buildBundle(notebook, graph, {
    runtimeFiles: options.runtimeFiles,
    parameters,
    inputDir: Private.inputDir,
  });
  const defaultImage = options.image ?? notebook.settings.image ?? DEFAULT_IMAGE;

  const components: Record<string, unknown> = {
    [`comp-${KFP_BUNDLE_TASK}`]: {
      executorLabel: `exec-${KFP_BUNDLE_TASK}`,
      outputDefinitions: { artifacts: { bundle: Private.artifactType('system.Artifact') } },
    },
  };
  const executors: Record<string, unknown> = {
    [`exec-${KFP_BUNDLE_TASK}`]: {
      container: {
        image: defaultImage,
        command: ['python3', '-c', UNPACK_PY],
        args: [Private.outputPath('bundle'), '--chunks', ...chunks(encodeBundle(bundle))],
      },
    },
  };
  const tasks: Record<string, unknown> = {
    [KFP_BUNDLE_TASK]: {
      componentRef: { name: `comp-${KFP_BUNDLE_TASK}` },
      taskInfo: { name: KFP_BUNDLE_TASK },
      cachingOptions: { enableCache: true },
    },
  };
  const podMetadata: Record<string, unknown> = {};
  const metricSteps = metricReportingSteps(notebook, graph);

  for (const step of graph.steps) {
    const settings = stepSettings(notebook, step);
    const metrics = metricSteps.has(step.name);
    components[`comp-${step.name}`] = Private.component(step, parameters, metrics);
    executors[`exec-${step.name}`] = {
      container: Private.container(notebook, step, settings, stepImage(notebook, settings, options.image), metrics),
    };
    tasks[step.name] = Private.task(step, settings);
    const metadata: Record<string, unknown> = {};
    if (Object.keys(settings.labels ?? {}).length) metadata['labels'] = settings.labels;
    if (Object.keys(settings.annotations ?? {}).length) metadata['annotations'] = settings.annotations;
    if (Object.keys(metadata).length) podMetadata[`exec-${step.name}`] = { podMetadata: metadata };
  }

  const root: Record<string, unknown> = { dag: { tasks } };
  if (Object.keys(parameters).length) {
    root['inputDefinitions'] = {
      parameters: Object.fromEntries(
        Object.entries(parameters).map(([name, value]) => [name, Private.inputDefinition(value)]),
      ),
    };
  }
  const pipelineSpec = {
    pipelineInfo: { name: Private.pipelineName(options.name ?? graph.name) },
    components,
    deploymentSpec: { executors },
    root,
    schemaVersion: '2.1.0',
    sdkVersion: 'cellpipe-0.1.0',
  };
  const platformSpec = Object.keys(podMetadata).length
    ? { platforms: { kubernetes: { deploymentSpec: { executors: podMetadata } } } }
    : undefined;
  return { pipelineSpec, platformSpec };
}

namespace Private {
  /** Placeholder the bundled specs carry for producer folders; steps receive the real paths through `--input`. */
  export function inputDir(step: string): string {
    return `in/${step}`;
  }

  export function artifactType(schemaTitle: string): Record<string, unknown> {
    return { artifactType: { schemaTitle, schemaVersion: '0.0.1' } };
  }

  export function inputPath(name: string): string {
    return `{{$.inputs.artifacts['${name}'].path}}`;
  }

  export function outputPath(name: string): string {
    return `{{$.outputs.artifacts['${name}'].path}}`;
  }

  export function component(
    step: PipelineStep,
    parameters: Record<string, ParameterValue>,
    metrics: boolean,
  ): Record<string, unknown> {
    const inputArtifacts: Record<string, unknown> = { bundle: artifactType('system.Artifact') };
    for (const producer of folderProducers(step)) inputArtifacts[`in-${producer}`] = artifactType('system.Artifact');
    const inputs: Record<string, unknown> = { artifacts: inputArtifacts };
    if (step.parameters.length) {
      inputs['parameters'] = Object.fromEntries(
        step.parameters.map((name) => [
          name,
          { parameterType: KFP_PARAMETER_TYPES[parameterKind(parameters[name] ?? null)] },
        ]),
      );
    }
    const outputArtifacts: Record<string, unknown> = {};
    if (exportsFolder(step)) outputArtifacts['out'] = artifactType('system.Artifact');
    if (metrics) outputArtifacts[KFP_METRICS_ARTIFACT] = artifactType('system.Metrics');
    const component: Record<string, unknown> = { executorLabel: `exec-${step.name}`, inputDefinitions: inputs };
    if (Object.keys(outputArtifacts).length) component['outputDefinitions'] = { artifacts: outputArtifacts };
    return component;
  }

  export function container(
    notebook: Notebook,
    step: PipelineStep,
    settings: StepSettings,
    image: string,
    metrics: boolean,
  ): Record<string, unknown> {
    const args = [inputPath('bundle'), '--step', step.name];
    if (exportsFolder(step)) args.push('--out', outputPath('out'));
    for (const producer of folderProducers(step)) args.push('--input', producer, inputPath(`in-${producer}`));
    if (step.parameters.length || metrics) args.push('--executor-input', '{{$}}');
    if (metrics) args.push('--metrics-artifact', outputPath(KFP_METRICS_ARTIFACT));
    if (settings.timeoutSeconds) args.push('--timeout', String(settings.timeoutSeconds));
    const container: Record<string, unknown> = { image, command: ['python3', '-c', LAUNCH_PY], args };
    const resources = resourceSpec(notebook, step, settings.limits ?? {});
    if (resources) container['resources'] = resources;
    return container;
  }

  /** KFP's resource fields: CPU and memory limits (numeric and string forms, as the KFP SDK writes them) and one accelerator. */
  export function resourceSpec(
    notebook: Notebook,
    step: PipelineStep,
    limits: Record<string, string>,
  ): Record<string, unknown> | undefined {
    const resources: Record<string, unknown> = {};
    const accelerators = Object.entries(limits).filter(([resource]) => resource !== 'cpu' && resource !== 'memory');
    if (accelerators.length > 1) {
      throw new NotebookInputError(
        `${notebook.name}: step '${step.displayName}' limits ${accelerators.map(([resource]) => resource).join(' and ')}; KFP allows one accelerator per step`,
      );
    }
    if (limits['cpu']) {
      resources['cpuLimit'] = quantityValue(limits['cpu']);
      resources['resourceCpuLimit'] = limits['cpu'];
    }
    if (limits['memory']) {
      resources['memoryLimit'] = quantityValue(limits['memory']) / 1e9;
      resources['resourceMemoryLimit'] = limits['memory'];
    }
    const [accelerator] = accelerators;
    if (accelerator) {
      const [type, count] = accelerator;
      resources['accelerator'] = { type, count, resourceType: type, resourceCount: count };
    }
    return Object.keys(resources).length ? resources : undefined;
  }

  /** Value of a Kubernetes quantity (already validated): `500m` → 0.5, `2Gi` → 2147483648. */
  export function quantityValue(quantity: string): number {
    const match = /^([+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)([KMGTPE]i|[numkMGTPE])?$/.exec(quantity);
    const scale: Record<string, number> = {
      n: 1e-9,
      u: 1e-6,
      m: 1e-3,
      k: 1e3,
      M: 1e6,
      G: 1e9,
      T: 1e12,
      P: 1e15,
      E: 1e18,
      Ki: 2 ** 10,
      Mi: 2 ** 20,
      Gi: 2 ** 30,
      Ti: 2 ** 40,
      Pi: 2 ** 50,
      Ei: 2 ** 60,
    };
    return Number(match?.[1] ?? quantity) * (scale[match?.[2] ?? ''] ?? 1);
  }

  export function task(step: PipelineStep, settings: StepSettings): Record<string, unknown> {
    const artifacts: Record<string, unknown> = {
      bundle: { taskOutputArtifact: { producerTask: KFP_BUNDLE_TASK, outputArtifactKey: 'bundle' } },
    };
    for (const producer of folderProducers(step)) {
      artifacts[`in-${producer}`] = { taskOutputArtifact: { producerTask: producer, outputArtifactKey: 'out' } };
    }
    const inputs: Record<string, unknown> = { artifacts };
    if (step.parameters.length) {
      inputs['parameters'] = Object.fromEntries(
        step.parameters.map((name) => [name, { componentInputParameter: name }]),
      );
    }
    const task: Record<string, unknown> = {
      componentRef: { name: `comp-${step.name}` },
      taskInfo: { name: step.name },
      dependentTasks: [...new Set([KFP_BUNDLE_TASK, ...step.after])],
      inputs,
      cachingOptions: settings.cache === false ? {} : { enableCache: true },
    };
    if (settings.retries) task['retryPolicy'] = { maxRetryCount: settings.retries };
    return task;
  }

  export function inputDefinition(value: ParameterValue): Record<string, unknown> {
    const definition: Record<string, unknown> = {
      parameterType: KFP_PARAMETER_TYPES[parameterKind(value)],
      isOptional: true,
    };
    if (value !== null) definition['defaultValue'] = value;
    return definition;
  }

  /** KFP pipeline names are lowercase letters, digits and dashes. */
  export function pipelineName(name: string): string {
    const normalized = name
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 128);
    return normalized || 'pipeline';
  }
}
