import type { CellMembership } from '@cellpipe/core';

/** What a cell's chip says: its role, or whether it starts or continues a step (pure: unit-tested without a DOM). */
export interface ChipLabel {
  text: string;
  /** `data-role` of the chip, for styling and tests. */
  kind: 'starts' | 'continues' | 'joins' | 'skip' | 'parameters' | 'metrics' | 'imports' | 'functions' | 'none';
  /** Step whose colour the chip takes, when it belongs to one. */
  step?: string;
  title: string;
}

/** The chip of a code cell from core's membership (`assignCells`); text cells have no chip. */
export function chipLabel(member: CellMembership | undefined, firstIndexOfStep?: number): ChipLabel {
  const edit = 'Click to edit this cell’s pipeline step.';
  if (!member || member.role === 'text') return { text: 'untagged', kind: 'none', title: edit };
  switch (member.role) {
    case 'skip':
      return { text: 'skip', kind: 'skip', title: `Never runs in the pipeline. ${edit}` };
    case 'parameters':
      return { text: 'parameters', kind: 'parameters', title: `Pipeline parameters. ${edit}` };
    case 'metrics':
      return { text: 'metrics', kind: 'metrics', title: `Pipeline metrics. ${edit}` };
    case 'prelude': {
      const kind = member.tags.functions ? 'functions' : 'imports';
      return { text: kind, kind, title: `Re-run before every step that needs it. ${edit}` };
    }
    case 'step': {
      const step = member.step ?? '';
      if (member.tags.step !== undefined)
        return { text: `step: ${step}`, kind: 'starts', step, title: `Starts step '${step}'. ${edit}` };
      if (firstIndexOfStep !== undefined && member.cell.index < firstIndexOfStep)
        return {
          text: `↓ ${step}`,
          kind: 'joins',
          step,
          title: `Untagged cell above the first step: it runs at the start of step '${step}'. ${edit}`,
        };
      return { text: `↪ ${step}`, kind: 'continues', step, title: `Continues step '${step}'. ${edit}` };
    }
  }
}
