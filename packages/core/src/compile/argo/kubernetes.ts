import { cellLabel } from '../../notebook/cellLabel.js';
import type { PipelineStep } from '../../graph/types.js';
import type { Notebook, StepSettings } from '../../notebook/model.js';
import { NotebookInputError } from '../../notebook/read.js';

/** Default container image when neither the step, the options nor the notebook name one. */
export const DEFAULT_IMAGE = 'python:3.11-slim';

/** Step settings with the notebook's `stepDefaults` filled in, checked for what Kubernetes accepts. */
export function stepSettings(notebook: Notebook, step: PipelineStep): StepSettings {
  const defaults = notebook.settings.stepDefaults ?? {};
  const settings: StepSettings = {
    ...defaults,
    ...step.settings,
    limits: { ...defaults.limits, ...step.settings.limits },
    labels: { ...defaults.labels, ...step.settings.labels },
    annotations: { ...defaults.annotations, ...step.settings.annotations },
  };
  Private.check(notebook, step, settings);
  return settings;
}

/** Image of a step: its own tag, then the compile option, then the notebook's setting, then `DEFAULT_IMAGE`. */
export function stepImage(notebook: Notebook, settings: StepSettings, optionImage?: string): string {
  return settings.image ?? optionImage ?? notebook.settings.image ?? DEFAULT_IMAGE;
}

/** Throws a one-line error naming the field when `text` would be rewritten by Argo's or KFP's `{{...}}` substitution. */
export function checkNoPlaceholder(text: string, where: string): void {
  if (text.includes('{{'))
    throw new NotebookInputError(`${where}: '{{' is not allowed (workflow engines substitute it)`);
}

namespace Private {
  const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
  const qualifiedName =
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
  const quantity = /^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$/;
  const imageReference = /^[^\s{}]+$/;

  export function check(notebook: Notebook, step: PipelineStep, settings: StepSettings): void {
    const where = (field: string): string => {
      const cell = notebook.cells.find((candidate) => candidate.id === step.cells[0]);
      const at = cell ? cellLabel(cell.index, cell.id) : `step '${step.displayName}'`;
      return `${notebook.name}: ${at}, step '${step.displayName}', ${field}`;
    };
    for (const [key, value] of Object.entries(settings.labels ?? {})) {
      if (!qualifiedName.test(key) || key.length > 316)
        throw new NotebookInputError(`${where('label key')} '${key}' is not a valid Kubernetes label key`);
      if (!labelValue.test(value) || value.length > 63) {
        throw new NotebookInputError(
          `${where(`label '${key}'`)}: '${value}' is not a valid Kubernetes label value (63 characters of [A-Za-z0-9_.-])`,
        );
      }
    }
    for (const [key, value] of Object.entries(settings.annotations ?? {})) {
      if (!qualifiedName.test(key))
        throw new NotebookInputError(`${where('annotation key')} '${key}' is not a valid Kubernetes annotation key`);
      checkNoPlaceholder(value, where(`annotation '${key}'`));
    }
    for (const [resource, amount] of Object.entries(settings.limits ?? {})) {
      if (!qualifiedName.test(resource))
        throw new NotebookInputError(`${where('limit')} '${resource}' is not a valid Kubernetes resource name`);
      if (!quantity.test(amount))
        throw new NotebookInputError(
          `${where(`limit '${resource}'`)}: '${amount}' is not a Kubernetes quantity (e.g. 2, 500m, 4Gi)`,
        );
    }
    if (settings.image !== undefined && !imageReference.test(settings.image)) {
      throw new NotebookInputError(`${where('image')}: '${settings.image}' is not a container image reference`);
    }
    if (settings.retries !== undefined && (!Number.isInteger(settings.retries) || settings.retries < 0)) {
      throw new NotebookInputError(`${where('retry')}: ${settings.retries} is not a whole number of retries`);
    }
    if (
      settings.timeoutSeconds !== undefined &&
      (!Number.isFinite(settings.timeoutSeconds) || settings.timeoutSeconds <= 0)
    ) {
      throw new NotebookInputError(
        `${where('timeout')}: ${settings.timeoutSeconds} is not a positive number of seconds`,
      );
    }
  }
}
