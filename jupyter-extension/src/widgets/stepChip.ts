import { formatElapsed, type StepState } from '@cellpipe/core';
import { Widget } from '@lumino/widgets';
import type { ChipLabel } from '../chipLabel';
import { el, stepHue } from '../dom';

/** The compact label each code cell shows: its step (coloured) or role, and the state of the current run. */
export class StepChip extends Widget {
  constructor(options: StepChip.IOptions) {
    super();
    this.addClass('cellpipe-StepChipRow');
    this.cellId = options.cellId;
    this.button = el('button', 'cellpipe-StepChip');
    this.button.type = 'button';
    this.button.addEventListener('click', () => options.onClick(this.cellId));
    this.stateNode = el('span', 'cellpipe-RunState');
    this.noteNode = el('span', 'cellpipe-KernelNote');
    this.node.append(this.button, this.stateNode, this.noteNode);
  }

  readonly cellId: string;

  /** Shows the cell's role, or the step it starts or continues. */
  setLabel(label: ChipLabel): void {
    const key = `${label.kind}\n${label.text}\n${label.title}`;
    if (key === this.key) return;
    this.key = key;
    this.button.textContent = label.text;
    this.button.title = label.title;
    this.button.dataset['role'] = label.kind;
    this.button.style.setProperty('--cellpipe-step-hue', String(label.step ? stepHue(label.step) : 0));
  }

  /** Shows (or with `null` clears) the run state of the cell's step. */
  setRunState(state: StepState | null, elapsedMs?: number): void {
    if (state === null) {
      delete this.node.dataset['state'];
      this.stateNode.textContent = '';
      this.setKernelNote(false);
      return;
    }
    this.node.dataset['state'] = state;
    const elapsed = formatElapsed(elapsedMs);
    this.stateNode.textContent = `pipeline: ${elapsed ? `${state} · ${elapsed}` : state}`;
  }

  /** Says that the error under the cell came from the notebook's kernel, not from the pipeline run shown here. */
  setKernelNote(show: boolean): void {
    this.noteNode.textContent = show ? 'the error output below is from the notebook’s kernel, not from this run' : '';
  }

  private key: string | undefined;
  private readonly button: HTMLButtonElement;
  private readonly stateNode: HTMLSpanElement;
  private readonly noteNode: HTMLSpanElement;
}

export namespace StepChip {
  export interface IOptions {
    cellId: string;
    onClick: (cellId: string) => void;
  }
}
