import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, normalize, resolve, sep } from 'node:path';
import { ARGO_BUNDLE_KEY, buildArgoSubmission, type ArgoDataFile } from '../../compile/argo/compile.js';
import { runtimeFiles } from '../../compile/step/runtimeFiles.js';
import type { StepSpec } from '../../compile/step/spec.js';
import type { RunStartedEvent } from '../../events/runEvent.js';
import type { ParameterValue, PipelineGraph } from '../../graph/types.js';
import { analyzeNotebook, graphErrors } from '../../index.js';
import type { Notebook } from '../../notebook/model.js';
import { readNotebook } from '../../notebook/read.js';
import { referencedFiles } from '../local/cache.js';
import { RunInputError, type RunOptions } from '../types.js';
import type { KubeConfigMap } from './kube.js';

/** Labels and annotations cellpipe puts on what it creates, to find its runs again. */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'cellpipe' } as const;
export const NOTEBOOK_ANNOTATION = 'cellpipe.dev/notebook';
export const RETRY_OF_ANNOTATION = 'cellpipe.dev/retry-of';
/** Key of the run's step list (what `run-started` announces) in the bundle ConfigMap. */
export const RUN_KEY = 'run.json';
/** A ConfigMap holds at most 1 MiB; leave room for metadata. */
export const CONFIGMAP_BUDGET = 1_000_000;

export interface SubmissionOptions {
  image?: string;
  serviceAccount?: string;
}

/** Everything to create for one run: the Workflow and the ConfigMap it mounts, plus what `run-started` says. */
export interface Submission {
  name: string;
  workflow: Record<string, unknown>;
  configMap: KubeConfigMap;
  started: Omit<RunStartedEvent, 'type' | 'time' | 'runId'>;
}

/** Reads and checks the notebook and builds the run's objects; throws `RunInputError` before anything is sent. */
export function prepareSubmission(options: RunOptions, submission: SubmissionOptions = {}): Submission {
  const notebookPath = resolve(options.notebookPath);
  const notebook = readNotebookFile(notebookPath, options.notebookPath);
  const graph = analyzeNotebook(notebook);
  const errors = graphErrors(graph);
  if (errors.length > 0) throw new RunInputError(errors.map((error) => error.message).join('; '));
  for (const name of Object.keys(options.parameters ?? {}))
    if (!(name in graph.parameters)) {
      const declared = Object.keys(graph.parameters);
      throw new RunInputError(
        `unknown parameter '${name}': ${declared.length ? `the notebook declares ${declared.join(', ')}` : 'the notebook declares no parameters'}`,
      );
    }
  const name = workflowName(graph.name);
  const files = stepDataFiles(notebook, graph, dirname(notebookPath));
  const { workflow, bundleData } = buildArgoSubmission(notebook, graph, {
    runtimeFiles: runtimeFiles(),
    image: submission.image,
    serviceAccount: submission.serviceAccount,
    parameters: options.parameters as Record<string, ParameterValue> | undefined,
    workflowName: name,
    bundleConfigMap: `${name}-bundle`,
    dataFiles: files.byStep,
    memoize: options.cache,
  });
  const metadata = workflow['metadata'] as Record<string, unknown>;
  metadata['labels'] = { ...MANAGED_BY, 'cellpipe.dev/pipeline': graph.name.slice(0, 63).replace(/[-_.]+$/, '') };
  metadata['annotations'] = { [NOTEBOOK_ANNOTATION]: notebookPath };
  const started: Submission['started'] = {
    notebook: notebookPath,
    backend: 'argo',
    steps: graph.steps.map((step) => ({ name: step.name, cells: step.cells, after: step.after })),
    parameters: { ...graph.parameters, ...options.parameters },
  };
  const configMap: KubeConfigMap = {
    metadata: { name: `${name}-bundle`, labels: { ...MANAGED_BY, 'cellpipe.dev/workflow': name } },
    data: { [ARGO_BUNDLE_KEY]: bundleData, [RUN_KEY]: JSON.stringify(started) },
    ...(Object.keys(files.contents).length ? { binaryData: files.contents } : {}),
  };
  checkConfigMapSize(configMap, files.sizes);
  return { name, workflow, configMap, started };
}

/** `wine-k3x9q`: the pipeline name and a random suffix, chosen here so the ConfigMap can name the Workflow up front. */
export function workflowName(pipeline: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const suffix = [...randomBytes(5)].map((byte) => alphabet[byte % alphabet.length]).join('');
  const prefix =
    pipeline
      .slice(0, 40)
      .replace(/[^a-z0-9-]/g, '-')
      .replace(/^-+|-+$/g, '') || 'cellpipe';
  return `${prefix}-${suffix}`;
}

/**
 * Files the steps' code names by a relative path that exists next to the notebook: shipped in the
 * ConfigMap (binaryData) and mounted where the step expects them. A path outside the notebook's folder
 * cannot be mounted under the step's working folder and stops the run with a line saying what to do.
 */
export function stepDataFiles(
  notebook: Notebook,
  graph: PipelineGraph,
  notebookDir: string,
): { byStep: Record<string, ArgoDataFile[]>; contents: Record<string, string>; sizes: Map<string, number> } {
  const byStep: Record<string, ArgoDataFile[]> = {};
  const contents: Record<string, string> = {};
  const sizes = new Map<string, number>();
  const cellById = new Map(notebook.cells.map((cell) => [cell.id, cell]));
  for (const step of graph.steps) {
    const code = {
      cells: step.cells.map((id) => ({ source: cellById.get(id)?.source ?? '' })),
      prepare: step.code.map((dependency) => ({ action: 'exec', source: dependency.source })),
    } as unknown as StepSpec;
    for (const written of Object.keys(referencedFiles(code, notebookDir))) {
      if (isAbsolute(written)) continue;
      const path = normalize(written);
      if (path === '..' || path.startsWith(`..${sep}`))
        throw new RunInputError(
          `step '${step.displayName}' reads '${written}', outside the notebook's folder: cellpipe ships only files under it to the cluster; move the file next to the notebook or put it in the image`,
        );
      const bytes = readFileSync(resolve(notebookDir, path));
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const key = `file-${sha256.slice(0, 16)}`;
      contents[key] = bytes.toString('base64');
      sizes.set(path, statSync(resolve(notebookDir, path)).size);
      (byStep[step.name] ??= []).push({ path: path.split(sep).join('/'), key, sha256 });
    }
  }
  return { byStep, contents, sizes };
}

function checkConfigMapSize(configMap: KubeConfigMap, sizes: Map<string, number>): void {
  const total = JSON.stringify(configMap).length;
  if (total <= CONFIGMAP_BUDGET) return;
  const biggest = [...sizes.entries()].sort((a, b) => b[1] - a[1])[0];
  if (biggest)
    throw new RunInputError(
      `data file '${biggest[0]}' (${Math.round(biggest[1] / 1024)} KiB) makes the run's ConfigMap ${Math.round(total / 1024)} KiB, over Kubernetes' 1 MiB: put the file in the step image or object storage and read it from there`,
    );
  throw new RunInputError(
    `the notebook's code makes the run's ConfigMap ${Math.round(total / 1024)} KiB, over Kubernetes' 1 MiB: split the notebook or move code into a package in the image`,
  );
}

function readNotebookFile(path: string, shown: string): Notebook {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RunInputError(
      `cannot read notebook ${shown}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return readNotebook(text, shown);
}
