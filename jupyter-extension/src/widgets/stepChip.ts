import { formatElapsed, parseCellTags, type StepState } from '@cellpipe/core';
import { Widget } from '@lumino/widgets';
import { el, stepHue } from '../dom';

/** The compact label each code cell shows: its step (coloured) or role, and the state of the current run. */
export class StepChip extends Widget {
  constructor(options: StepChip.IOptions) {
    super();
    this.addClass('cellpipe-StepChipRow');
    this.cellId = options.cellId;
    this.button = el('button', 'cellpipe-StepChip');
    this.button.type = 'button';
    this.button.title = 'cellpipe: edit this cell’s pipeline step';
    this.button.addEventListener('click', () => options.onClick(this.cellId));
    this.stateNode = el('span', 'cellpipe-RunState');
    this.node.append(this.button, this.stateNode);
  }

  readonly cellId: string;

  /** Shows the cell's role from its tags, or the step it belongs to. */
  setStep(tags: readonly string[], step: string | null): void {
    const key = `${step ?? ''}\n${tags.join('\n')}`;
    if (key === this.key) return;
    this.key = key;
    const parsed = parseCellTags(tags);
    const role = parsed.skip
      ? 'skip'
      : parsed.parameters
        ? 'parameters'
        : parsed.metrics
          ? 'metrics'
          : parsed.step === undefined && parsed.imports
            ? 'imports'
            : parsed.step === undefined && parsed.functions
              ? 'functions'
              : null;
    const label = role ?? step ?? 'untagged';
    if (label === this.label) return;
    this.label = label;
    this.button.textContent = role ? label : `step: ${label}`;
    this.button.dataset['role'] = role ?? (step ? 'step' : 'none');
    this.button.style.setProperty('--cellpipe-step-hue', String(role || !step ? 0 : stepHue(step)));
  }

  /** Shows (or with `null` clears) the run state of the cell's step. */
  setRunState(state: StepState | null, elapsedMs?: number): void {
    if (state === null) {
      delete this.node.dataset['state'];
      this.stateNode.textContent = '';
      return;
    }
    this.node.dataset['state'] = state;
    const elapsed = formatElapsed(elapsedMs);
    this.stateNode.textContent = elapsed ? `${state} · ${elapsed}` : state;
  }

  private key: string | undefined;
  private label = '';
  private readonly button: HTMLButtonElement;
  private readonly stateNode: HTMLSpanElement;
}

export namespace StepChip {
  export interface IOptions {
    cellId: string;
    onClick: (cellId: string) => void;
  }
}
