import { assignCells, resultCell, stepElapsedMs, type RunProgress } from '@cellpipe/core';
import type { Cell, ICodeCellModel } from '@jupyterlab/cells';
import { chipLabel } from './chipLabel';
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { PanelLayout } from '@lumino/widgets';
import type { PipelineModel } from './pipelineModel';
import { CellResults } from './widgets/cellResults';
import { StepChip } from './widgets/stepChip';

/** Terminal step states after which a step's results are shown under its cell. */
const FINISHED = new Set(['succeeded', 'failed', 'cached', 'cancelled', 'skipped']);

/**
 * Puts cellpipe's UI into one notebook's cells: a step chip on every code cell and, for a run,
 * the state of each step on its cells and the results under the step's cell. Cells are found by id.
 */
export class NotebookDecorator {
  constructor(options: NotebookDecorator.IOptions) {
    this.panel = options.panel;
    this.model = options.model;
    this.options = options;
    this.model.changed.connect(() => this.sync());
    this.sync();
  }

  readonly panel: NotebookPanel;
  readonly model: PipelineModel;

  /** Adds missing chips and refreshes every chip's label (starts / continues a step, or its role). */
  sync(): void {
    const membership = assignCells(this.model.notebook());
    const members = new Map(membership.cells.map((member) => [member.cell.id, member]));
    const firstIndex = new Map(membership.steps.map((step) => [step.displayName, step.firstIndex]));
    for (const cell of this.panel.content.widgets) {
      if (cell.model.type !== 'code') continue;
      let chip = this.chips.get(cell.model.id);
      if (!chip || chip.isDisposed || chip.parent !== cell) {
        chip = new StepChip({
          cellId: cell.model.id,
          onClick: (cellId) => this.options.onEditStep(this.panel, cellId),
        });
        (cell.layout as PanelLayout).insertWidget(1, chip);
        this.chips.set(cell.model.id, chip);
      }
      const member = members.get(cell.model.id);
      chip.setLabel(chipLabel(member, firstIndex.get(member?.step ?? '')));
    }
  }

  /** The run whose results the cells show, if any. */
  get currentRun(): RunProgress | undefined {
    return this.run;
  }

  /** Clears the previous run's states and results and follows `run` from now on. */
  startRun(run: RunProgress): void {
    this.run = run;
    for (const chip of this.chips.values()) if (!chip.isDisposed) chip.setRunState(null);
    for (const results of this.results.values()) results.dispose();
    this.results.clear();
  }

  /** Shows what `run` knows about the given steps on their cells (looked up by id at this moment). */
  applyRun(run: RunProgress, steps: string[], now = Date.now()): void {
    if (run !== this.run) return;
    for (const stepName of steps) {
      const step = run.steps.get(stepName);
      if (!step) continue;
      const elapsed = stepElapsedMs(step, now);
      for (const cellId of step.cells) {
        const chip = this.chips.get(cellId);
        chip?.setRunState(step.state, elapsed);
        chip?.setKernelNote(step.state !== 'failed' && Private.hasKernelError(this.cellById(cellId)));
      }
      const target = resultCell(step);
      const show =
        FINISHED.has(step.state) && (step.metrics.size > 0 || step.error !== undefined || step.state === 'failed');
      if (target !== undefined && show) this.showResults(run, step.name, target);
    }
  }

  /** Re-renders elapsed time on running steps; called on a timer while a run is active. */
  tick(now = Date.now()): void {
    if (!this.run) return;
    const running = [...this.run.steps.values()].filter((step) => step.state === 'running').map((step) => step.name);
    this.applyRun(this.run, running, now);
  }

  /** The cell widget with this id, wherever it has moved. */
  cellById(cellId: string): Cell | undefined {
    return this.panel.content.widgets.find((cell) => cell.model.id === cellId);
  }

  dispose(): void {
    for (const chip of this.chips.values()) chip.dispose();
    for (const results of this.results.values()) results.dispose();
  }

  private showResults(run: RunProgress, stepName: string, cellId: string): void {
    const cell = this.cellById(cellId);
    const step = run.steps.get(stepName);
    if (!cell || !step) return;
    let results = this.results.get(cellId);
    if (!results || results.isDisposed || results.parent !== cell) {
      results = new CellResults({ rendermime: this.options.rendermime, onShowLogs: this.options.onShowLogs });
      (cell.layout as PanelLayout).addWidget(results);
      this.results.set(cellId, results);
    }
    results.showStep(run, step, cellId);
  }

  private run?: RunProgress;
  private readonly options: NotebookDecorator.IOptions;
  private readonly chips = new Map<string, StepChip>();
  private readonly results = new Map<string, CellResults>();
}

namespace Private {
  /** True when the cell shows an error the notebook's own kernel produced (not the pipeline run). */
  export function hasKernelError(cell: Cell | undefined): boolean {
    if (cell?.model.type !== 'code') return false;
    const outputs = (cell.model as ICodeCellModel).outputs;
    for (let index = 0; index < outputs.length; index++) if (outputs.get(index).type === 'error') return true;
    return false;
  }
}

export namespace NotebookDecorator {
  export interface IOptions {
    panel: NotebookPanel;
    model: PipelineModel;
    rendermime: IRenderMimeRegistry;
    onEditStep: (panel: NotebookPanel, cellId: string) => void;
    onShowLogs: (results: RunProgress, step: string) => void;
  }
}
