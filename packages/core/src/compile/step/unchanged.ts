import type { PipelineGraph } from '../../graph/types.js';
import type { UnchangedName } from './spec.js';

/** The producer the run-time check names for a pipeline parameter. */
export const PARAMETERS_ORIGIN = '(parameters)';

/**
 * What the run-time check holds `stepName` to: every name a later step reads as a step before this one (or
 * the parameters) left it. In the notebook that later step would see any change this step makes, in the
 * pipeline it does not, so a change the graph did not predict must stop the run instead of giving a
 * different number. A name some step between rebinds afresh is not listed: that step hides the change.
 * Computed for every step of a graph at once (each step asks, and asking step by step is quadratic).
 */
export function unchangedNames(graph: PipelineGraph, stepName: string): UnchangedName[] {
  let table = Private.tables.get(graph);
  if (!table) {
    table = Private.table(graph);
    Private.tables.set(graph, table);
  }
  return table.get(stepName) ?? [];
}

namespace Private {
  export const tables = new WeakMap<PipelineGraph, Map<string, UnchangedName[]>>();

  export function table(graph: PipelineGraph): Map<string, UnchangedName[]> {
    const steps = graph.steps;
    const position = new Map(steps.map((step, index) => [step.name, index]));
    const found = steps.map(() => new Map<string, UnchangedName>());
    const declared = steps.map((step) => new Set(step.outputs));
    const add = (self: number, name: string, from: string, readBy: string): void => {
      if (!declared[self]?.has(name) && !found[self]?.has(name)) found[self]?.set(name, { name, from, readBy });
    };
    // Where each parameter was last read: steps before that reader already hold it.
    const lastReader = new Map<string, number>();
    steps.forEach((later, at) => {
      for (const input of later.inputs) {
        if (input.kind !== 'value') continue;
        const chain = producerChain(steps, position, input.from, input.name);
        for (let self = at - 1; self >= 0; self--) {
          // The first producer along the chain at or before `self`: itself (no entry) or the origin.
          const origin = chain.find((link) => link.at <= self);
          if (!origin) break;
          if (origin.at !== self) add(self, input.name, origin.name, later.name);
        }
      }
      for (const name of later.parameters) {
        for (let self = at - 1; self >= (lastReader.get(name) ?? 0); self--)
          add(self, name, PARAMETERS_ORIGIN, later.name);
        lastReader.set(name, at);
      }
    });
    return new Map(steps.map((step, index) => [step.name, [...(found[index]?.values() ?? [])]]));
  }

  /**
   * The steps a value of `name` passed through to reach a reader from `producer`, nearest first: each received it
   * from the next (a producer may only have mutated what it received); it ends at the step that bound it afresh.
   */
  function producerChain(
    steps: PipelineGraph['steps'],
    position: Map<string, number>,
    producer: string,
    name: string,
  ): { name: string; at: number }[] {
    const chain: { name: string; at: number }[] = [];
    const seen = new Set<string>();
    for (let current: string | undefined = producer; current !== undefined && !seen.has(current);) {
      seen.add(current);
      const at = position.get(current);
      if (at === undefined) break;
      chain.push({ name: current, at });
      current = steps[at]?.inputs.find((input) => input.name === name && input.kind === 'value')?.from;
    }
    return chain;
  }
}
