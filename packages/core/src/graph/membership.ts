import { cellLabel } from '../notebook/cellLabel.js';
import type { Notebook, NotebookCell } from '../notebook/model.js';
import { parseCellTags, type ParsedCellTags } from '../tags/parse.js';
import { normalizeStepName } from '../tags/names.js';
import type { AnalysisWarning } from './types.js';

/** What a cell is for in the pipeline. */
export type CellRoleKind = 'step' | 'skip' | 'parameters' | 'metrics' | 'prelude' | 'text';

export interface CellMembership {
  cell: NotebookCell;
  tags: ParsedCellTags;
  role: CellRoleKind;
  /** For `step` cells: the step's name as first written (its display name). */
  step?: string;
}

export interface StepMembership {
  displayName: string;
  name: string;
  cells: NotebookCell[];
  /** Index of the cell that starts the step. */
  firstIndex: number;
}

export interface Membership {
  cells: CellMembership[];
  steps: StepMembership[];
  warnings: AnalysisWarning[];
}

/** The pipeline name: `metadata.cellpipe.name`, else the file name without folders and extension, normalised. */
export function pipelineName(notebook: Notebook): string {
  const base =
    notebook.settings.name ??
    notebook.name
      .split(/[\\/]/)
      .pop()
      ?.replace(/\.ipynb$/i, '') ??
    'pipeline';
  return normalizeStepName(base || 'pipeline');
}

/** Assigns every code cell to a step following Kale's rules (see README: "Tags"). */
export function assignCells(notebook: Notebook): Membership {
  const warnings: AnalysisWarning[] = [];
  const cells: CellMembership[] = notebook.cells.map((cell) => {
    const tags = parseCellTags(cell.tags);
    if (cell.cellType !== 'code') return { cell, tags, role: 'text' };
    for (const problem of tags.problems) {
      warnings.push({
        code: problem.code,
        message: `${Private.where(cell)}: ${problem.message}`,
        cellId: cell.id,
        cellIndex: cell.index,
      });
    }
    const role = tags.skip
      ? 'skip'
      : tags.parameters
        ? 'parameters'
        : tags.metrics
          ? 'metrics'
          : tags.step === undefined && (tags.imports || tags.functions)
            ? 'prelude'
            : 'step';
    return { cell, tags, role };
  });

  const steps = new Map<string, StepMembership>();
  let current: StepMembership | undefined;
  const pending: CellMembership[] = [];
  for (const member of cells) {
    if (member.role !== 'step') continue;
    const name = member.tags.step;
    if (name !== undefined) {
      const existing = steps.get(name);
      if (existing && existing !== current) {
        // Running the cells together would run this cell before the steps in between: never the notebook's values.
        const between = current
          ? ` and ${cellLabel(current.cells[current.cells.length - 1]?.index ?? member.cell.index)} between them is step '${current.displayName}'`
          : '';
        warnings.push({
          code: 'duplicate-step',
          severity: 'error',
          message: `${Private.where(member.cell)}: step '${name}' already started at ${cellLabel(existing.firstIndex)}${between}; give this cell another step name or move it up to the step`,
          cellId: member.cell.id,
          cellIndex: member.cell.index,
        });
      }
      current = existing ?? {
        displayName: name,
        name: normalizeStepName(name),
        cells: [],
        firstIndex: member.cell.index,
      };
      steps.set(name, current);
      for (const early of pending.splice(0)) {
        early.step = name;
        current.cells.push(early.cell);
      }
    }
    if (!current) {
      pending.push(member);
      continue;
    }
    member.step = current.displayName;
    current.cells.push(member.cell);
  }
  if (pending.length > 0 || steps.size === 0) {
    const displayName = notebook.settings.name ?? pipelineName(notebook);
    const only: StepMembership = {
      displayName,
      name: pipelineName(notebook),
      cells: [],
      firstIndex: pending[0]?.cell.index ?? 0,
    };
    for (const member of pending) {
      member.step = displayName;
      only.cells.push(member.cell);
    }
    if (only.cells.length > 0) steps.set(displayName, only);
  }
  const ordered = [...steps.values()];
  for (const step of ordered) step.cells.sort((a, b) => a.index - b.index);
  return { cells, steps: ordered, warnings };
}

/** Tags and names come from users: control characters are shown escaped so a message stays on one line. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Cell id → the (normalised) step that runs it, or null for markdown, skipped, parameter, metrics and prelude cells. */
export function stepNameForCells(notebook: Notebook): Map<string, string | null> {
  const membership = assignCells(notebook);
  const names = new Map(membership.steps.map((step) => [step.displayName, step.name]));
  return new Map(
    membership.cells.map((member) => [
      member.cell.id,
      member.step !== undefined ? (names.get(member.step) ?? null) : null,
    ]),
  );
}

namespace Private {
  export function where(cell: NotebookCell): string {
    return cellLabel(cell.index, cell.id);
  }
}
