import { withCellRole, withImage, withLimit, withPrevTags, withSkip, type CellMembership } from '@cellpipe/core';

/** One choice of the tag quick pick and what it does to the cell's tags. */
export interface TagChoice {
  label: string;
  description?: string;
  /** Asks for a value first (new step name, image, limit, upstream steps). */
  ask?: 'step-name' | 'image' | 'limit' | 'prev';
  apply(tags: readonly string[], value?: string | string[]): string[];
}

/** The choices for a cell: existing step names first, then new step, continue, skip, prelude roles, settings. */
export function tagChoices(member: CellMembership | undefined, stepNames: readonly string[]): TagChoice[] {
  const current = member?.tags.step;
  const steps: TagChoice[] = stepNames.map((name) => ({
    label: `$(symbol-event) step:${name}`,
    description: name === current ? 'current' : 'start or join this step',
    apply: (tags) => withCellRole(tags, { kind: 'step', name }),
  }));
  return [
    ...steps,
    {
      label: '$(add) New step…',
      ask: 'step-name',
      apply: (tags, value) => withCellRole(tags, { kind: 'step', name: String(value) }),
    },
    {
      label: '$(indent) Continue the previous step',
      description: 'no step tag',
      apply: (tags) => withCellRole(tags, { kind: 'continue' }),
    },
    {
      label: '$(circle-slash) skip',
      description: member?.tags.skip ? 'current' : 'leave out of the pipeline',
      apply: (tags) => withSkip(withCellRole(tags, { kind: 'continue' }), true),
    },
    { label: '$(package) imports', apply: (tags) => withCellRole(tags, { kind: 'imports' }) },
    { label: '$(package) functions', apply: (tags) => withCellRole(tags, { kind: 'functions' }) },
    { label: '$(settings) pipeline-parameters', apply: (tags) => withCellRole(tags, { kind: 'parameters' }) },
    { label: '$(graph) pipeline-metrics', apply: (tags) => withCellRole(tags, { kind: 'metrics' }) },
    {
      label: '$(arrow-up) prev: (runs after)…',
      description: member?.tags.prev.join(', ') || undefined,
      ask: 'prev',
      apply: (tags, value) => withPrevTags(tags, Array.isArray(value) ? value : []),
    },
    {
      label: '$(package) image:…',
      description: member?.tags.image,
      ask: 'image',
      apply: (tags, value) => withImage(tags, value ? String(value) : null),
    },
    {
      label: '$(dashboard) limit:…',
      description:
        Object.entries(member?.tags.limits ?? {})
          .map(([resource, quantity]) => `${resource}=${quantity}`)
          .join(', ') || undefined,
      ask: 'limit',
      apply: (tags, value) => {
        const [resource, quantity] = String(value)
          .split('=', 2)
          .map((part) => part.trim());
        return resource ? withLimit(tags, resource, quantity ? quantity : null) : [...tags];
      },
    },
  ];
}
