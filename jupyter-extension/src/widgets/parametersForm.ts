import { parameterText, type ParameterValue } from '@cellpipe/core';
import { Widget } from '@lumino/widgets';
import { el } from '../dom';

/** Dialog body of "Run with Parameters…": one text field per pipeline parameter, prefilled with its value. */
export class ParametersForm extends Widget {
  constructor(options: ParametersForm.IOptions) {
    super();
    this.addClass('cellpipe-ParametersForm');
    if (options.error) this.node.append(el('div', 'cellpipe-FormError', options.error));
    for (const [name, value] of Object.entries(options.defaults)) {
      const input = el('input', 'jp-mod-styled cellpipe-ParametersForm-value');
      input.name = name;
      input.value = options.typed?.[name] ?? parameterText(value);
      input.placeholder = parameterText(value);
      const row = el('label', 'cellpipe-StepEditor-row');
      row.append(el('span', 'cellpipe-StepEditor-label', name), input);
      this.node.append(row);
      this.inputs.set(name, input);
    }
  }

  /** The text typed for each parameter (parsed by core against the defaults' kinds). */
  getValue(): Record<string, string> {
    return Object.fromEntries([...this.inputs].map(([name, input]) => [name, input.value]));
  }

  protected override onAfterAttach(): void {
    this.inputs.values().next().value?.focus();
  }

  private readonly inputs = new Map<string, HTMLInputElement>();
}

export namespace ParametersForm {
  export interface IOptions {
    defaults: Record<string, ParameterValue>;
    /** What the user typed before, kept when the form is shown again with an error. */
    typed?: Record<string, string>;
    error?: string;
  }
}
