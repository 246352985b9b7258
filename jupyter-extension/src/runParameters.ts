import { parameterText, parseParameterText, type ParameterValue, type PipelineGraph } from '@cellpipe/core';

/**
 * The parameter overrides of a run from the form's text fields: only the fields changed from their default, each
 * parsed by core by the kind of its default. Throws core's one-line error naming the parameter.
 */
export function parameterOverrides(
  graph: PipelineGraph,
  typed: Record<string, string>,
): Record<string, ParameterValue> {
  const overrides: Record<string, ParameterValue> = {};
  for (const [name, text] of Object.entries(typed)) {
    const value = graph.parameters[name];
    if (value !== undefined && text === parameterText(value)) continue;
    overrides[name] = parseParameterText(graph, name, text);
  }
  return overrides;
}
