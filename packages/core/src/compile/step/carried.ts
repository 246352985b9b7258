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

/** Global RNG state: saved by a step that uses it, restored from the step whose state it continues. */
export function randomStateField(
  step: PipelineStep,
  inputDir: (step: string) => string,
): Pick<StepSpec, 'randomState'> {
  if (!step.randomState) return {};
  const from = step.randomState.from;
  return { randomState: from ? { dir: inputDir(from) } : {} };
}
