import {
  normalizeStepName,
  parseCellTags,
  withCellRole,
  withImage,
  withLimit,
  withPrevTags,
  type CellRole,
  type PipelineGraph,
} from '@cellpipe/core';

/** The step editor's fields; every one maps to standard Kale-compatible cell tags. */
export interface StepFormValues {
  role: CellRole['kind'];
  /** Step name when `role` is `step`. */
  name: string;
  /** Explicit upstream steps (`prev:` tags). */
  prev: string[];
  image: string;
  cpu: string;
  memory: string;
  gpu: string;
}

/** Reads the editor's fields from a cell's tags. */
export function formValuesFromTags(tags: readonly string[]): StepFormValues {
  const parsed = parseCellTags(tags);
  const role: CellRole['kind'] = parsed.skip
    ? 'skip'
    : parsed.parameters
      ? 'parameters'
      : parsed.metrics
        ? 'metrics'
        : parsed.step !== undefined
          ? 'step'
          : parsed.imports
            ? 'imports'
            : parsed.functions
              ? 'functions'
              : 'continue';
  return {
    role,
    name: parsed.step ?? '',
    prev: [...parsed.prev],
    image: parsed.image ?? '',
    cpu: parsed.limits['cpu'] ?? '',
    memory: parsed.limits['memory'] ?? '',
    gpu: parsed.limits['nvidia.com/gpu'] ?? '',
  };
}

/**
 * Applies the editor's fields to a cell's tags, keeping tags it does not own. Throws a one-line error on a bad field;
 * with `knownSteps`, a `prev:` naming none of them is one.
 */
export function applyFormValues(
  tags: readonly string[],
  values: StepFormValues,
  knownSteps?: readonly string[],
): string[] {
  const name = values.name.trim();
  if (values.role === 'step' && !/^[^\s:]+$/.test(name)) {
    throw new Error(`step name: '${values.name}' must be non-empty, without spaces or ':'`);
  }
  const role: CellRole = values.role === 'step' ? { kind: 'step', name } : ({ kind: values.role } as CellRole);
  let next = withCellRole(tags, role);
  const prev = values.prev.map((step) => step.trim()).filter((step) => step.length > 0);
  const badPrev = prev.find((step) => /[\s:]/.test(step));
  if (badPrev !== undefined) throw new Error(`prev: '${badPrev}' is not a step name`);
  if (knownSteps) {
    const known = new Set(knownSteps.map(normalizeStepName));
    const unknown = prev.find((step) => !known.has(normalizeStepName(step)));
    if (unknown !== undefined)
      throw new Error(
        `prev: '${unknown}' is not a step of this notebook (${knownSteps.length ? `steps: ${knownSteps.join(', ')}` : 'it has no steps yet'})`,
      );
  }
  next = withPrevTags(next, prev);
  next = withImage(next, values.image.trim() || null);
  for (const [resource, quantity] of [
    ['cpu', values.cpu],
    ['memory', values.memory],
    ['nvidia.com/gpu', values.gpu],
  ] as const) {
    const trimmed = quantity.trim();
    if (trimmed && !/^[0-9.]+[a-zA-Z]*$/.test(trimmed))
      throw new Error(`limit ${resource}: '${quantity}' is not a quantity`);
    next = withLimit(next, resource, trimmed || null);
  }
  return next;
}

/** Step names for completion in the editor, in notebook order. */
export function knownStepNames(graph: PipelineGraph | undefined): string[] {
  return graph ? graph.steps.map((step) => step.displayName) : [];
}
