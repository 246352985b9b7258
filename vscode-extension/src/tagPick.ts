import { withCellRole, withImage, withLimit, withPrevTags, withSkip, type CellMembership } from '@cellpipe/core';

/** One choice of the tag quick pick and what it does to the cell's tags. */
export interface TagChoice {
  label: string;
  description?: string;
  /** Asks for a value first (new step name, image, limit, upstream steps). */
  ask?: 'step-name' | 'image' | 'limit' | 'prev';
  /** The cell's role now: listed first, so that Enter on the open quick pick changes nothing. */
  current?: boolean;
  apply(tags: readonly string[], value?: string | string[]): string[];
}

/**
 * The choices for a cell: its current role first (Enter keeps it), then existing step names, new step, continue,
 * skip, prelude roles, settings.
 */
export function tagChoices(member: CellMembership | undefined, stepNames: readonly string[]): TagChoice[] {
  const choices = Private.choices(member, stepNames);
  const current = choices.findIndex((choice) => choice.current);
  return current <= 0 ? choices : [choices[current]!, ...choices.slice(0, current), ...choices.slice(current + 1)];
}

namespace Private {
  /** Which choice is the cell's role now; undefined for a cell core does not know yet. */
  function currentLabel(member: CellMembership | undefined): string | undefined {
    if (!member) return undefined;
    switch (member.role) {
      case 'step':
        return member.tags.step !== undefined ? `step:${member.tags.step}` : 'Continue';
      case 'skip':
        return 'skip';
      case 'prelude':
        return member.tags.functions ? 'functions' : 'imports';
      case 'parameters':
        return 'pipeline-parameters';
      case 'metrics':
        return 'pipeline-metrics';
      default:
        return undefined;
    }
  }

  export function choices(member: CellMembership | undefined, stepNames: readonly string[]): TagChoice[] {
    const list = allChoices(member, stepNames);
    const current = currentLabel(member);
    const index =
      current === undefined
        ? -1
        : list.findIndex((choice) => choice.label.endsWith(` ${current}`) || choice.label.includes(`) ${current}`));
    if (index < 0) return list;
    const marked = list[index]!;
    list[index] = { ...marked, current: true, description: 'current', apply: (tags) => [...tags] };
    return list;
  }

  function allChoices(member: CellMembership | undefined, stepNames: readonly string[]): TagChoice[] {
    const steps: TagChoice[] = stepNames.map((name) => ({
      label: `$(symbol-event) step:${name}`,
      description: 'start or join this step',
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
        description: 'leave out of the pipeline',
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
}
