import type { PipelineGraph } from '@cellpipe/core';
import { stepHue } from './dom';

/** What the pipeline panel shows for one step, derived from the graph alone (unit-tested, no DOM). */
export interface StepSummary {
  name: string;
  displayName: string;
  hue: number;
  /** Cell to reveal when the step is clicked. */
  firstCell?: string;
  /** `name ← producer` for every input. */
  inputs: string[];
  outputs: string[];
}

export function stepSummaries(graph: PipelineGraph): StepSummary[] {
  return graph.steps.map((step) => ({
    name: step.name,
    displayName: step.displayName,
    hue: stepHue(step.name),
    firstCell: step.cells[0],
    inputs: step.inputs.map((input) => `${input.name} ← ${input.from}`),
    outputs: [...step.outputs],
  }));
}

/** Changes exactly when the drawing must be laid out again: steps, their labels or their edges changed. */
export function layoutKey(graph: PipelineGraph): string {
  return JSON.stringify(graph.steps.map((step) => [step.name, step.displayName, step.after]));
}
