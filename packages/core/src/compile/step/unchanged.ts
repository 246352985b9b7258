import type { PipelineGraph } from '../../graph/types.js';
import type { UnchangedName } from './spec.js';

/** The producer the run-time check names for a pipeline parameter. */
export const PARAMETERS_ORIGIN = '(parameters)';

/**
 * What the run-time check holds `stepName` to: every name a later step reads as a step before this one (or
 * the parameters) left it. In the notebook that later step would see any change this step makes, in the
 * pipeline it does not, so a change the graph did not predict must stop the run instead of giving a
 * different number. A name some step between rebinds afresh is not listed: that step hides the change.
 */
export function unchangedNames(graph: PipelineGraph, stepName: string): UnchangedName[] {
  const position = new Map(graph.steps.map((step, index) => [step.name, index]));
  const self = position.get(stepName);
  if (self === undefined) return [];
  const step = graph.steps[self];
  const declared = new Set(step?.outputs ?? []);
  const found = new Map<string, UnchangedName>();
  const add = (name: string, from: string, readBy: string): void => {
    if (!declared.has(name) && !found.has(name)) found.set(name, { name, from, readBy });
  };
  for (const later of graph.steps.slice(self + 1)) {
    for (const input of later.inputs) {
      if (input.kind !== 'value') continue;
      const origin = Private.originBefore(graph, position, input.from, input.name, self);
      if (origin !== undefined) add(input.name, origin, later.name);
    }
    for (const name of later.parameters) add(name, PARAMETERS_ORIGIN, later.name);
  }
  return [...found.values()];
}

namespace Private {
  /**
   * The step before position `self` whose value of `name` reaches a reader through `producer` (a producer
   * after `self` may only mutate what it received); undefined when `producer` is this step itself or a later
   * step binds `name` afresh.
   */
  export function originBefore(
    graph: PipelineGraph,
    position: Map<string, number>,
    producer: string,
    name: string,
    self: number,
  ): string | undefined {
    const seen = new Set<string>();
    let current = producer;
    while (!seen.has(current)) {
      seen.add(current);
      const at = position.get(current);
      if (at === undefined || at === self) return undefined;
      if (at < self) return current;
      const received = graph.steps[at]?.inputs.find((input) => input.name === name && input.kind === 'value');
      if (!received) return undefined;
      current = received.from;
    }
    return undefined;
  }
}
