import type { PipelineGraph, StepState } from '@cellpipe/core';

/** What the graph webview draws: positioned step boxes and routed edges, all plain data (rendered as text). */
export interface GraphMessage {
  type: 'graph';
  name: string;
  width: number;
  height: number;
  nodes: {
    id: string;
    label: string;
    detail: string;
    x: number;
    y: number;
    width: number;
    height: number;
    state?: StepState;
  }[];
  edges: { from: string; to: string; label: string; points: { x: number; y: number }[] }[];
  warnings: string[];
}

/** The webview's only message back: the user clicked a step. */
export interface RevealStepMessage {
  type: 'reveal-step';
  step: string;
}

export function isRevealStepMessage(value: unknown): value is RevealStepMessage {
  const message = value as Partial<RevealStepMessage> | undefined;
  return message?.type === 'reveal-step' && typeof message.step === 'string';
}

/** Data edges labelled with the names that travel along them, `prev:` edges unlabelled. */
export function graphEdges(graph: PipelineGraph): { from: string; to: string; label: string }[] {
  return graph.steps.flatMap((step) =>
    step.after.map((from) => ({
      from,
      to: step.name,
      label: step.inputs
        .filter((input) => input.from === from && input.kind !== 'module')
        .map((input) => input.name)
        .join(', '),
    })),
  );
}
