import { PythonLiteral } from '../../analysis/literal.js';
import type { ParameterValue, PipelineGraph } from '../../graph/types.js';
import { NotebookInputError } from '../../notebook/read.js';

/** JSON type of a pipeline parameter, decided by its default value in the `pipeline-parameters` cell. */
export type ParameterKind = 'string' | 'integer' | 'number' | 'boolean' | 'list' | 'struct' | 'null';

export function parameterKind(value: ParameterValue): ParameterKind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'number';
    default:
      return 'struct';
  }
}

/**
 * Text of a parameter value as it travels in a workflow argument (`argo submit -p NAME=TEXT`):
 * strings as they are, every other kind as JSON.
 */
export function parameterText(value: ParameterValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Reads `TEXT` given for parameter `name` on a command line, by the kind of its default value. */
export function parseParameterText(graph: PipelineGraph, name: string, text: string): ParameterValue {
  if (!Object.hasOwn(graph.parameters, name)) {
    const known = Object.keys(graph.parameters);
    throw new NotebookInputError(
      `${graph.name}: unknown parameter '${name}' (${known.length ? `known: ${known.join(', ')}` : 'the notebook has no pipeline-parameters cell'})`,
    );
  }
  const kind = parameterKind(graph.parameters[name] ?? null);
  if (kind === 'string') return text;
  let value: ParameterValue;
  try {
    value = JSON.parse(text) as ParameterValue;
  } catch {
    if (kind === 'null') return text;
    throw new NotebookInputError(`${graph.name}: parameter '${name}' must be ${Private.describe(kind)}, got '${text}'`);
  }
  Private.checkKind(graph.name, name, kind, value);
  return value;
}

/** Parses `NAME=VALUE` assignments (the CLI's `-p`) into typed parameter overrides. */
export function parseParameterAssignments(graph: PipelineGraph, assignments: string[]): Record<string, ParameterValue> {
  const overrides: Record<string, ParameterValue> = {};
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    if (equals <= 0) throw new NotebookInputError(`parameter '${assignment}' must be written NAME=VALUE`);
    const name = assignment.slice(0, equals);
    overrides[name] = parseParameterText(graph, name, assignment.slice(equals + 1));
  }
  return overrides;
}

/** Defaults merged with overrides; an override must name a known parameter and keep its kind. */
export function resolveParameters(
  graph: PipelineGraph,
  overrides: Record<string, ParameterValue> = {},
): Record<string, ParameterValue> {
  const values: Record<string, ParameterValue> = { ...graph.parameters };
  for (const [name, given] of Object.entries(overrides)) {
    // A `-p` value parsed with its Python source (`PythonLiteral`): workflow parameters are JSON.
    const value: ParameterValue =
      (given as unknown) instanceof PythonLiteral ? (given as unknown as PythonLiteral).value : given;
    if (!Object.hasOwn(graph.parameters, name)) parseParameterText(graph, name, '');
    Private.checkKind(graph.name, name, parameterKind(graph.parameters[name] ?? null), value);
    values[name] = value;
  }
  return values;
}

namespace Private {
  export function describe(kind: ParameterKind): string {
    return kind === 'integer' ? 'an integer' : kind === 'struct' ? 'a JSON object' : `a JSON ${kind}`;
  }

  export function checkKind(pipeline: string, name: string, kind: ParameterKind, value: ParameterValue): void {
    const actual = parameterKind(value);
    const fits = kind === 'null' || actual === kind || (kind === 'number' && actual === 'integer');
    if (!fits) {
      throw new NotebookInputError(
        `${pipeline}: parameter '${name}' must be ${describe(kind)}, got ${JSON.stringify(value)}`,
      );
    }
  }
}
