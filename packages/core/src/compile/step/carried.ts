import { PythonLiteral } from '../../analysis/literal.js';
import type { PipelineGraph, PipelineStep } from '../../graph/types.js';
import type { StepSpec } from './spec.js';

/**
 * The parameter values a step binds: JSON values, plus the Python source of each one written as a literal (the
 * notebook's default, or a `-p` override), which the runtime evaluates exactly (`1.0`, tuples, int keys, big ints).
 */
export function parameterFields(
  graph: PipelineGraph,
  names: string[],
  values: Record<string, unknown>,
): Pick<StepSpec, 'parameters' | 'parameterSources'> {
  const parameters: Record<string, unknown> = {};
  const parameterSources: Record<string, string> = {};
  for (const name of names) {
    const value = values[name];
    parameters[name] = value instanceof PythonLiteral ? value.value : value;
    const source =
      value instanceof PythonLiteral
        ? value.source
        : value === graph.parameters[name]
          ? graph.parameterSources?.[name]
          : undefined;
    if (source !== undefined) parameterSources[name] = source;
  }
  return Object.keys(parameterSources).length > 0 ? { parameters, parameterSources } : { parameters };
}

/**
 * The steps whose output folder a step reads: value producers, the step whose RNG state it continues, and the
 * writers of files it reads. On a cluster each is an input artifact.
 */
export function folderProducers(step: PipelineStep): string[] {
  return [
    ...new Set([
      ...step.inputs.filter((input) => input.kind === 'value').map((input) => input.from),
      ...(step.randomState?.from ? [step.randomState.from] : []),
      ...(step.files?.reads ?? []).map((read) => read.from),
    ]),
  ];
}

/** Whether a later step reads this step's output folder (values, RNG state or files), so it must be kept. */
export function exportsFolder(step: PipelineStep): boolean {
  return step.outputs.length > 0 || step.randomState !== undefined || (step.files?.writes.length ?? 0) > 0;
}

/**
 * Files passed between steps on a cluster, where each step has its own file system: the writer copies them into
 * its output folder (`files/<path>`) after its cells, the reader copies them from there before its cells.
 * Absent for local runs, where every step works in the notebook's folder.
 */
export function shippedFilesField(step: PipelineStep, inputDir: (step: string) => string): Pick<StepSpec, 'files'> {
  const reads = step.files?.reads ?? [];
  const writes = step.files?.writes ?? [];
  if (reads.length === 0 && writes.length === 0) return {};
  return {
    files: {
      ...(reads.length
        ? { import: reads.map((read) => ({ path: read.path, from: read.from, dir: inputDir(read.from) })) }
        : {}),
      ...(writes.length ? { export: writes } : {}),
    },
  };
}

/** Global RNG state: saved by a step that uses it, restored from the step whose state it continues. */
export function randomStateField(
  step: PipelineStep,
  inputDir: (step: string) => string,
): Pick<StepSpec, 'randomState'> {
  if (!step.randomState) return {};
  const from = step.randomState.from;
  return { randomState: from ? { from, dir: inputDir(from) } : {} };
}
