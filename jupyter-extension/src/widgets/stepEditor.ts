import { Widget } from '@lumino/widgets';
import { el } from '../dom';
import type { StepFormValues } from '../stepForm';

/** Dialog body for `cellpipe:edit-step`: role, step name (with completion), prev, image and limits. */
export class StepEditor extends Widget {
  constructor(options: StepEditor.IOptions) {
    super();
    this.addClass('cellpipe-StepEditor');
    const listId = `cellpipe-step-names-${Private.ids.next++}`;
    const names = el('datalist');
    names.id = listId;
    for (const name of options.stepNames) {
      const option = el('option');
      option.value = name;
      names.append(option);
    }
    this.role = el('select', 'cellpipe-StepEditor-role');
    for (const [value, label] of Private.roles) {
      const option = el('option', undefined, label);
      option.value = value;
      this.role.append(option);
    }
    this.role.value = options.values.role;
    this.name = Private.input('cellpipe-StepEditor-name', options.values.name, listId);
    this.prev = Private.input('cellpipe-StepEditor-prev', options.values.prev.join(', '), listId);
    this.image = Private.input('cellpipe-StepEditor-image', options.values.image);
    this.cpu = Private.input('cellpipe-StepEditor-cpu', options.values.cpu);
    this.memory = Private.input('cellpipe-StepEditor-memory', options.values.memory);
    this.gpu = Private.input('cellpipe-StepEditor-gpu', options.values.gpu);
    this.name.placeholder = 'e.g. train';
    this.prev.placeholder = 'upstream steps, comma-separated (usually inferred)';
    this.image.placeholder = 'container image (cluster runs)';
    this.cpu.placeholder = 'e.g. 500m';
    this.memory.placeholder = 'e.g. 1Gi';
    this.gpu.placeholder = 'e.g. 1';
    if (options.error) this.node.append(el('div', 'cellpipe-FormError', options.error));
    this.node.append(
      names,
      Private.row('Cell role', this.role),
      Private.row('Step name', this.name),
      Private.row('Runs after (prev:)', this.prev),
      Private.row('Image', this.image),
      Private.row('CPU limit', this.cpu),
      Private.row('Memory limit', this.memory),
      Private.row('GPU limit', this.gpu),
    );
    this.role.addEventListener('change', () => this.syncEnabled());
    this.syncEnabled();
  }

  getValue(): StepFormValues {
    return {
      role: this.role.value as StepFormValues['role'],
      name: this.name.value,
      prev: this.prev.value.split(','),
      image: this.image.value,
      cpu: this.cpu.value,
      memory: this.memory.value,
      gpu: this.gpu.value,
    };
  }

  protected override onAfterAttach(): void {
    (this.role.value === 'step' ? this.name : this.role).focus();
  }

  private syncEnabled(): void {
    this.name.disabled = this.role.value !== 'step';
  }

  private readonly role: HTMLSelectElement;
  private readonly name: HTMLInputElement;
  private readonly prev: HTMLInputElement;
  private readonly image: HTMLInputElement;
  private readonly cpu: HTMLInputElement;
  private readonly memory: HTMLInputElement;
  private readonly gpu: HTMLInputElement;
}

export namespace StepEditor {
  export interface IOptions {
    values: StepFormValues;
    stepNames: string[];
    /** Why the values shown (what the user typed) were refused last time. */
    error?: string;
  }
}

namespace Private {
  export const ids = { next: 0 };

  export const roles: [StepFormValues['role'], string][] = [
    ['step', 'starts a step'],
    ['continue', 'continues the step above'],
    ['skip', 'skip (never runs in the pipeline)'],
    ['imports', 'imports (run before every step)'],
    ['functions', 'functions (run before every step)'],
    ['parameters', 'pipeline parameters'],
    ['metrics', 'pipeline metrics'],
  ];

  export function input(className: string, value: string, list?: string): HTMLInputElement {
    const input = el('input', `jp-mod-styled ${className}`);
    input.value = value;
    if (list) input.setAttribute('list', list);
    return input;
  }

  export function row(label: string, control: HTMLElement): HTMLLabelElement {
    const row = el('label', 'cellpipe-StepEditor-row');
    row.append(el('span', 'cellpipe-StepEditor-label', label), control);
    return row;
  }
}
