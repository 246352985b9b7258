import type { PipelineGraph } from '../../graph/types.js';
import type { Notebook } from '../../notebook/model.js';
import { parameterFields, randomStateField, shippedFilesField } from './carried.js';
import type { PrepareAction, StepSpec } from './spec.js';
import { unchangedNames } from './unchanged.js';

export interface BuildStepSpecOptions {
  /** Parameter values for this run (defaults merged with overrides). */
  parameters: Record<string, unknown>;
  /** Output folder of a producer step, as the step runtime will see it (a local path or a container path). */
  inputDir(step: string): string;
  /** Each step has its own file system (a cluster): files passed between steps travel in the output folders. */
  shipFiles?: boolean;
}

/** The document the Python step runtime needs to run `stepName`; the same for local runs and containers. */
export function buildStepSpec(
  notebook: Notebook,
  graph: PipelineGraph,
  stepName: string,
  options: BuildStepSpecOptions,
): StepSpec {
  const step = graph.steps.find((s) => s.name === stepName);
  if (!step) throw new Error(`no step named '${stepName}' in ${graph.name}`);
  const cellsById = new Map(notebook.cells.map((cell) => [cell.id, cell]));
  const cellIndex = (id: string): number => cellsById.get(id)?.index ?? -1;

  const loads = new Map(
    step.inputs
      .filter((input) => input.kind === 'value')
      .map((input): [string, PrepareAction] => [
        input.name,
        { action: 'load', name: input.name, from: input.from, dir: options.inputDir(input.from) },
      ]),
  );
  // Code runs before values load (unpickling may need the classes it defines), except the values a statement
  // itself reads (`class Rule: limit = THRESHOLD`, `pd.set_option("display.max_rows", rows)`), loaded just before it.
  const takeLoads = (names: string[]): PrepareAction[] =>
    names.flatMap((name) => {
      const load = loads.get(name);
      loads.delete(name);
      return load ? [load] : [];
    });
  const prepare: PrepareAction[] = [
    ...step.code.flatMap((dep): PrepareAction[] => [
      ...takeLoads(dep.reads ?? []),
      { action: 'exec', names: dep.names, source: dep.source, cellId: dep.cellId, cellIndex: cellIndex(dep.cellId) },
    ]),
    ...loads.values(),
  ];

  const firstCell = cellIndex(step.cells[0] ?? '');
  // A name the step loads as a value (a function with definition-time state) must never be re-executed as code.
  const loaded = new Set(step.inputs.filter((input) => input.kind === 'value').map((input) => input.name));
  const definitions: StepSpec['definitions'] = {};
  for (const def of graph.definitions) {
    const index = cellIndex(def.cellId);
    if (index >= firstCell) continue;
    for (const name of def.names) {
      if (!loaded.has(name)) definitions[name] = { source: def.source, cellId: def.cellId, cellIndex: index };
    }
  }

  return {
    version: 1,
    pipeline: graph.name,
    step: step.name,
    prepare,
    cells: step.cells.map((id) => {
      const cell = cellsById.get(id);
      if (!cell) throw new Error(`step '${step.name}' names cell ${id}, which the notebook does not have`);
      return { id, index: cell.index, source: cell.source };
    }),
    outputs: step.outputs,
    ...(step.dynamic ? { dynamic: step.dynamic } : {}),
    metrics: step.metrics,
    ...parameterFields(graph, step.parameters, options.parameters),
    ...randomStateField(step, options.inputDir),
    ...(options.shipFiles ? shippedFilesField(step, options.inputDir) : {}),
    definitions,
    unchanged: unchangedNames(graph, step.name),
  };
}
