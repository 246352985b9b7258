import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

import type { ParameterValue, PipelineGraph, PipelineStep } from '../../graph/types.js';
import type { Notebook } from '../../notebook/model.js';
import { NotebookInputError } from '../../notebook/read.js';
import {
  buildBundle,
  bundledUnchanged,
  encodeBundle,
  metricReportingSteps,
  STEP_ENTRY,
  UNPACK_PY,
  type Bundle,
  type BundledStepSpec,
} from './bundle.js';
import { exportsFolder, folderProducers } from '../step/carried.js';
import { checkNoPlaceholder, DEFAULT_IMAGE, stepImage, stepSettings } from './kubernetes.js';
import { parameterKind, parameterText, resolveParameters } from './parameters.js';
import { compactYaml } from './yamlText.js';

export interface ArgoCompileOptions {
  /** The step runtime's Python files by relative path: `runtimeFiles()` from `@cellpipe/core/node`. */
  runtimeFiles: Record<string, string>;
  /** Image for steps without an `image:` tag; default: the notebook's image, then `python:3.11-slim`. */
  image?: string;
  /** Overrides of the `pipeline-parameters` defaults (they become the workflow's argument defaults). */
  parameters?: Record<string, ParameterValue>;
  namespace?: string;
  serviceAccount?: string;
  /** Workflow name prefix (`metadata.generateName`); default: the pipeline name. */
  name?: string;
  /** The Workflow's exact name instead of a generated one (a submitter that must know it before creating). */
  workflowName?: string;
  /** ConfigMap that holds Argo's memoization entries for cached steps. */
  cacheConfigMap?: string;
  /** `false`: no step is memoized, whatever its tags (a run asked not to use the cache). */
  memoize?: boolean;
  /**
   * Where the bundle comes from: inline in the Workflow (default: a self-contained file), or a ConfigMap the
   * submitter creates beside the Workflow (key `ARGO_BUNDLE_KEY`), which keeps a submitted Workflow small.
   */
  bundleConfigMap?: string;
  /** Data files steps read by relative path, shipped in `bundleConfigMap` and mounted under the step's working folder. */
  dataFiles?: Record<string, ArgoDataFile[]>;
}

/** A file a step reads, relative to the notebook's folder, stored under `key` in the bundle ConfigMap. */
export interface ArgoDataFile {
  path: string;
  key: string;
  /** Content digest: a changed file must not reuse memoized outputs. */
  sha256: string;
}

/** Paths inside every step container. */
export const ARGO_PATHS = {
  bundle: '/cellpipe/bundle',
  bundleData: '/cellpipe/bundle.b64',
  out: '/cellpipe/out',
  metrics: '/cellpipe/metrics.json',
  parametersDigest: '/cellpipe/parameters.sha256',
  bundleSource: '/cellpipe/source',
  /** The step's working folder when it reads data files: the notebook's folder, as in Jupyter. */
  work: '/cellpipe/work',
  input: (step: string): string => `/cellpipe/in/${step}`,
} as const;

/** Output parameter of each step with metrics: a JSON object `{metric: value}` read from the Workflow status. */
export const ARGO_METRICS_PARAMETER = 'metrics';
/** Output artifact of each step with outputs: its output folder (manifest.json + files). */
export const ARGO_OUTPUT_ARTIFACT = 'out';
/** Names the compiler uses for its own task and templates; steps cannot take them. */
export const ARGO_BUNDLE_TASK = 'cellpipe-bundle';
export const ARGO_ENTRYPOINT = 'cellpipe-dag';
/** Global output parameter: SHA-256 of the run's parameter values, part of the memo keys of steps that depend on them. */
export const ARGO_PARAMETERS_DIGEST = 'cellpipe-params';
/** Key of the encoded bundle in the bundle ConfigMap, and the Workflow volume that mounts it. */
export const ARGO_BUNDLE_KEY = 'bundle.b64';
export const ARGO_BUNDLE_VOLUME = 'cellpipe-source';

/** Compiles the pipeline into an Argo `Workflow` (YAML text) with one template per step. */
export function compileArgo(notebook: Notebook, graph: PipelineGraph, options: ArgoCompileOptions): string {
  return compactYaml(buildArgoWorkflow(notebook, graph, options));
}

/** The Workflow object behind `compileArgo`. */
export function buildArgoWorkflow(
  notebook: Notebook,
  graph: PipelineGraph,
  options: ArgoCompileOptions,
): Record<string, unknown> {
  return buildArgoSubmission(notebook, graph, options).workflow;
}

/** The Workflow and its encoded bundle, for a submitter that ships the bundle in `options.bundleConfigMap`. */
export function buildArgoSubmission(
  notebook: Notebook,
  graph: PipelineGraph,
  options: ArgoCompileOptions,
): { workflow: Record<string, unknown>; bundleData: string } {
  if (graph.steps.length === 0)
    throw new NotebookInputError(`${notebook.name}: no steps to compile (tag cells with step:NAME)`);
  for (const step of graph.steps) {
    if (step.name === ARGO_BUNDLE_TASK || step.name === ARGO_ENTRYPOINT) {
      throw new NotebookInputError(
        `${notebook.name}: step name '${step.name}' is reserved by cellpipe; rename the step`,
      );
    }
  }
  const parameters = resolveParameters(graph, options.parameters);
  for (const [name, value] of Object.entries(parameters)) {
    if (!/^[A-Za-z0-9_-]+$/.test(name))
      throw new NotebookInputError(
        `${notebook.name}: parameter '${name}' cannot be an Argo parameter name (use [A-Za-z0-9_])`,
      );
    checkNoPlaceholder(parameterText(value), `${notebook.name}: parameter '${name}'`);
  }
  // Relative to the bundle's parent folder (/cellpipe), so the specs name exactly the input artifact paths.
  const inputDir = (producer: string): string => `in/${producer}`;
  const bundle = buildBundle(notebook, graph, { runtimeFiles: options.runtimeFiles, parameters, inputDir });
  const defaultImage = options.image ?? notebook.settings.image ?? DEFAULT_IMAGE;
  const imageOf = (step: PipelineStep): string => stepImage(notebook, stepSettings(notebook, step), options.image);
  const memoKeys = Private.memoKeys(graph, bundle, imageOf, options.dataFiles ?? {});
  const metricSteps = metricReportingSteps(notebook, graph);

  const metadata: Record<string, unknown> = options.workflowName
    ? { name: options.workflowName }
    : { generateName: `${options.name ?? graph.name}-` };
  if (options.namespace) metadata['namespace'] = options.namespace;
  const spec: Record<string, unknown> = { entrypoint: ARGO_ENTRYPOINT };
  if (options.serviceAccount) spec['serviceAccountName'] = options.serviceAccount;
  if (options.bundleConfigMap)
    spec['volumes'] = [{ name: ARGO_BUNDLE_VOLUME, configMap: { name: options.bundleConfigMap } }];
  if (Object.keys(parameters).length) {
    spec['arguments'] = {
      parameters: Object.entries(parameters).map(([name, value]) => Private.argument(name, value)),
    };
  }
  const bundleData = encodeBundle(bundle);
  spec['templates'] = [
    Private.dagTemplate(graph),
    Private.bundleTemplate(bundleData, Object.keys(parameters), defaultImage, options.bundleConfigMap !== undefined),
    ...graph.steps.map((step) =>
      Private.stepTemplate(notebook, step, options, memoKeys.get(step.name) ?? '', metricSteps.has(step.name)),
    ),
  ];
  return { workflow: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata, spec }, bundleData };
}

namespace Private {
  export function argument(name: string, value: ParameterValue): Record<string, unknown> {
    const kind = parameterKind(value);
    const parameter: Record<string, unknown> = { name, value: parameterText(value) };
    if (kind === 'boolean') parameter['enum'] = ['true', 'false'];
    if (kind !== 'string') parameter['description'] = `JSON ${kind}`;
    return parameter;
  }

  export function dagTemplate(graph: PipelineGraph): Record<string, unknown> {
    const tasks = [
      { name: ARGO_BUNDLE_TASK, template: ARGO_BUNDLE_TASK },
      ...graph.steps.map((step) => ({
        name: step.name,
        template: step.name,
        // Steps with upstream steps wait for the bundle through them.
        depends: (step.after.length ? step.after : [ARGO_BUNDLE_TASK]).join(' && '),
        arguments: {
          artifacts: [
            { name: 'bundle', from: `{{tasks.${ARGO_BUNDLE_TASK}.outputs.artifacts.bundle}}` },
            ...folderProducers(step).map((producer) => ({
              name: `in-${producer}`,
              from: `{{tasks.${producer}.outputs.artifacts.${ARGO_OUTPUT_ARTIFACT}}}`,
            })),
          ],
        },
      })),
    ];
    return { name: ARGO_ENTRYPOINT, dag: { tasks } };
  }

  /** Unpacks the bundle once, with the run's parameter values, into the artifact every step mounts. */
  export function bundleTemplate(
    bundleData: string,
    parameterNames: string[],
    image: string,
    fromConfigMap: boolean,
  ): Record<string, unknown> {
    const command = ['python3', '-c', UNPACK_PY, ARGO_PATHS.bundle];
    for (const name of parameterNames) command.push('--param', name, `{{workflow.parameters.${name}}}`);
    if (parameterNames.length) command.push('--digest-file', ARGO_PATHS.parametersDigest);
    command.push('--file', fromConfigMap ? `${ARGO_PATHS.bundleSource}/${ARGO_BUNDLE_KEY}` : ARGO_PATHS.bundleData);
    const outputs: Record<string, unknown> = { artifacts: [{ name: 'bundle', path: ARGO_PATHS.bundle }] };
    if (parameterNames.length) {
      outputs['parameters'] = [
        {
          name: 'parameters-digest',
          valueFrom: { path: ARGO_PATHS.parametersDigest },
          globalName: ARGO_PARAMETERS_DIGEST,
        },
      ];
    }
    if (fromConfigMap) {
      const volumeMounts = [{ name: ARGO_BUNDLE_VOLUME, mountPath: ARGO_PATHS.bundleSource, readOnly: true }];
      return { name: ARGO_BUNDLE_TASK, outputs, container: { image, command, volumeMounts } };
    }
    return {
      name: ARGO_BUNDLE_TASK,
      inputs: {
        artifacts: [{ name: 'bundle-data', path: ARGO_PATHS.bundleData, raw: { data: bundleData } }],
      },
      outputs,
      container: { image, command },
    };
  }

  export function stepTemplate(
    notebook: Notebook,
    step: PipelineStep,
    options: ArgoCompileOptions,
    memoKey: string,
    metrics: boolean,
  ): Record<string, unknown> {
    const settings = stepSettings(notebook, step);
    const producers = folderProducers(step);
    // One command list, no separate args: a few bytes per step that a 500-step Workflow needs.
    const command = ['python3', `${ARGO_PATHS.bundle}/${STEP_ENTRY}`, '--step', step.name, '--out', ARGO_PATHS.out];
    if (metrics) command.push('--metrics-file', ARGO_PATHS.metrics);

    const container: Record<string, unknown> = {
      image: stepImage(notebook, settings, options.image),
      command,
    };
    if (Object.keys(settings.limits ?? {}).length) container['resources'] = { limits: settings.limits };
    const files = options.dataFiles?.[step.name] ?? [];
    if (files.length) {
      container['workingDir'] = ARGO_PATHS.work;
      container['volumeMounts'] = files.map((file) => ({
        name: ARGO_BUNDLE_VOLUME,
        mountPath: `${ARGO_PATHS.work}/${file.path}`,
        subPath: file.key,
        readOnly: true,
      }));
    }

    const template: Record<string, unknown> = { name: step.name };
    const podMetadata: Record<string, unknown> = {};
    if (Object.keys(settings.labels ?? {}).length) podMetadata['labels'] = settings.labels;
    if (Object.keys(settings.annotations ?? {}).length) podMetadata['annotations'] = settings.annotations;
    if (Object.keys(podMetadata).length) template['metadata'] = podMetadata;
    template['inputs'] = {
      artifacts: [
        { name: 'bundle', path: ARGO_PATHS.bundle },
        ...producers.map((producer) => ({ name: `in-${producer}`, path: ARGO_PATHS.input(producer) })),
      ],
    };
    const outputs: Record<string, unknown> = {};
    if (exportsFolder(step)) outputs['artifacts'] = [{ name: ARGO_OUTPUT_ARTIFACT, path: ARGO_PATHS.out }];
    if (metrics) {
      outputs['parameters'] = [
        { name: ARGO_METRICS_PARAMETER, valueFrom: { path: ARGO_PATHS.metrics, default: '{}' } },
      ];
    }
    if (Object.keys(outputs).length) template['outputs'] = outputs;
    template['container'] = container;
    if (settings.retries) template['retryStrategy'] = { limit: String(settings.retries), retryPolicy: 'Always' };
    if (settings.timeoutSeconds) template['activeDeadlineSeconds'] = String(Math.ceil(settings.timeoutSeconds));
    if (settings.cache !== false && options.memoize !== false) {
      template['memoize'] = {
        key: memoKey,
        maxAge: '',
        cache: { configMap: { name: options.cacheConfigMap ?? 'cellpipe-cache' } },
      };
    }
    return template;
  }

  /**
   * Memoization key per step: a digest of its spec, its image, the data files it reads and its upstream
   * steps' keys (so a changed producer invalidates every consumer), plus, when it or an upstream step
   * reads parameters, the digest of the run's parameter values.
   */
  export function memoKeys(
    graph: PipelineGraph,
    bundle: Bundle,
    imageOf: (step: PipelineStep) => string,
    dataFiles: Record<string, ArgoDataFile[]>,
  ): Map<string, string> {
    const digests = new Map<string, string>();
    const parametersUpstream = new Set<string>();
    const keys = new Map<string, string>();
    const runtimeDigest = Private.digest(bundle.files);
    for (const step of graph.steps) {
      const spec: Partial<BundledStepSpec> & { checked?: unknown } = { ...bundle.pipeline.steps[step.name] };
      delete spec.parameters;
      // The entries themselves, not their indexes into a table every step shares.
      spec.unchanged = undefined;
      spec.checked = bundledUnchanged(bundle.pipeline, step.name);
      const upstream = step.after.map((name) => digests.get(name) ?? name);
      const files = (dataFiles[step.name] ?? []).map((file) => [file.path, file.sha256]);
      const digest = Private.digest([spec, upstream, runtimeDigest, imageOf(step), ...(files.length ? [files] : [])]);
      digests.set(step.name, digest);
      const usesParameters = step.parameters.length > 0 || step.after.some((name) => parametersUpstream.has(name));
      if (usesParameters) parametersUpstream.add(step.name);
      // One digest of the run's parameter values, computed once by the bundle task (a per-step list would grow the Workflow).
      const runtime = usesParameters ? `-{{workflow.outputs.parameters.${ARGO_PARAMETERS_DIGEST}}}` : '';
      keys.set(step.name, `cellpipe-${digest}${runtime}`);
    }
    return keys;
  }

  export function digest(value: unknown): string {
    return bytesToHex(sha256(utf8ToBytes(JSON.stringify(value)))).slice(0, 16);
  }
}
