import { cellLabel } from '../notebook/cellLabel.js';
import type { InputKind, PipelineGraph, PipelineStep } from '../graph/types.js';
import type { Notebook } from '../notebook/model.js';
import { PARAMETERS_PRODUCER, SHARED_CODE_STEP, type Trace } from './trace.js';

/** One edge on which the static graph and the traced execution disagree. */
export interface EdgeFinding {
  /** Consumer step. */
  step: string;
  name: string;
  /** Producer step (for a missed edge: the traced producer; for an extra edge: the static one). */
  from: string;
  kind: InputKind;
  /** Cells of the consumer that read the name (missed edges), or the consumer's cells (extra edges). */
  cells: { id: string; index: number }[];
  /** One line naming the step, the name and the cells. */
  message: string;
}

export interface EdgeComparison {
  /** Traced edges the static graph lacks: the pipeline would break or use a stale value. */
  missed: EdgeFinding[];
  /** Static inputs the execution never used: wasted transfer. */
  extra: EdgeFinding[];
  tracedEdges: number;
  staticEdges: number;
}

/** Compares the traced truth with the static graph; pure, so editors and tests can call it on saved traces. */
export function compareEdges(notebook: Notebook, graph: PipelineGraph, trace: Trace): EdgeComparison {
  const cellIndex = new Map(notebook.cells.map((cell) => [cell.id, cell.index]));
  const cellRefs = (ids: string[]): EdgeFinding['cells'] => ids.map((id) => ({ id, index: cellIndex.get(id) ?? -1 }));
  const describeCells = (ids: string[]): string =>
    ids
      .map((id) => {
        const index = cellIndex.get(id);
        return index === undefined ? `cell ? (${id})` : `${cellLabel(index)} (${id})`;
      })
      .join(', ');
  const steps = new Map(graph.steps.map((step) => [step.name, step]));
  const ancestors = Private.ancestors(graph);
  const missed: EdgeFinding[] = [];
  const tracedKeys = new Set<string>();

  for (const edge of trace.edges) {
    tracedKeys.add(`${edge.to}\u0000${edge.name}`);
    const step = steps.get(edge.to);
    const where = describeCells(edge.cells);
    const finding = (message: string): void => {
      missed.push({
        step: edge.to,
        name: edge.name,
        from: edge.from,
        kind: edge.kind,
        cells: cellRefs(edge.cells),
        message,
      });
    };
    if (!step) {
      finding(`step '${edge.to}' is not in the static graph, yet ${where} read '${edge.name}' from '${edge.from}'`);
      continue;
    }
    if (edge.from === PARAMETERS_PRODUCER) {
      if (!step.parameters.includes(edge.name))
        finding(`step '${edge.to}' reads parameter '${edge.name}' (${where}) but the static graph does not bind it`);
      continue;
    }
    const provided = Private.providers(step, edge.name);
    if (edge.from === SHARED_CODE_STEP) {
      if (provided.length === 0)
        finding(
          `step '${edge.to}' uses '${edge.name}' from a shared imports/functions cell (${where}), but the static graph does not provide it`,
        );
      continue;
    }
    if (!provided.some((from) => from === edge.from || Private.passesThrough(steps, from, edge.name, edge.from))) {
      const instead = provided.length > 0 ? `; the static graph passes it from '${provided.join("', '")}'` : '';
      finding(
        `step '${edge.to}' reads ${edge.kind} '${edge.name}' (${where}) last written by step '${edge.from}'${instead || ', but the static graph does not pass it'}`,
      );
    } else if (!ancestors.get(edge.to)?.has(edge.from)) {
      finding(
        `step '${edge.to}' reads '${edge.name}' (${where}) from step '${edge.from}', which the static graph does not run before it`,
      );
    }
  }

  const extra: EdgeFinding[] = [];
  let staticEdges = 0;
  const traced = new Map(trace.steps.map((step) => [step.name, step]));
  for (const step of graph.steps) {
    for (const input of step.inputs) {
      staticEdges += 1;
      // Code is re-executed, not transferred: a definition's own imports and bases are needed without being read.
      if (input.kind !== 'value') continue;
      if (tracedKeys.has(`${step.name}\u0000${input.name}`)) continue;
      // A step the execution never reached (it failed earlier) says nothing about its inputs.
      if (!traced.has(step.name)) continue;
      extra.push({
        step: step.name,
        name: input.name,
        from: input.from,
        kind: input.kind,
        cells: cellRefs(step.cells),
        message: `step '${step.name}' receives ${input.kind} '${input.name}' from '${input.from}' but never read it (${describeCells(step.cells)})`,
      });
    }
  }
  return { missed, extra, tracedEdges: trace.edges.length, staticEdges };
}

namespace Private {
  /** Steps that can provide `name` to `step`: its inputs and re-executed code of that name. */
  export function providers(step: PipelineStep, name: string): string[] {
    const from = step.inputs.filter((input) => input.name === name).map((input) => input.from);
    for (const dep of step.code) if (dep.names.includes(name)) from.push(dep.from);
    return [...new Set(from)];
  }

  /**
   * True when `via` receives `name` from `origin` through a chain of static inputs: a step the analysis
   * thinks may mutate a value passes it on, so the consumer still gets the traced producer's value.
   */
  export function passesThrough(steps: Map<string, PipelineStep>, via: string, name: string, origin: string): boolean {
    const seen = new Set<string>();
    let current = via;
    while (!seen.has(current)) {
      seen.add(current);
      const input = steps.get(current)?.inputs.find((candidate) => candidate.name === name);
      if (!input) return false;
      if (input.from === origin) return true;
      current = input.from;
    }
    return false;
  }

  /** Every step's transitive `after` set. */
  export function ancestors(graph: PipelineGraph): Map<string, Set<string>> {
    const result = new Map<string, Set<string>>();
    for (const step of graph.steps) {
      const all = new Set<string>();
      for (const parent of step.after) {
        all.add(parent);
        for (const grand of result.get(parent) ?? []) all.add(grand);
      }
      result.set(step.name, all);
    }
    return result;
  }
}
