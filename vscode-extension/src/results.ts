import * as vscode from 'vscode';
import { cellId } from './cells.js';
import { METRICS_MIME, metricsOutput, metricsText } from './metricsOutput.js';
import type { RunStore, RunView, StepView } from './runs.js';

/**
 * Writes a run's results onto the notebook's cells as outputs: a step's metrics on its last cell once it
 * succeeds, a traceback on the cell that raised. VS Code only lets the selected kernel's controller create cell
 * executions, so results go in as a notebook edit (undoable, saved like any output) instead.
 */
export class ResultsWriter implements vscode.Disposable {
  private readonly written = new Map<string, Set<string>>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly options: ResultsWriter.IOptions) {
    this.subscription = options.runs.onDidChange((run) => this.onRunChanged(run));
  }

  private onRunChanged(run: RunView): void {
    let done = this.written.get(run.runId);
    if (!done) {
      done = new Set();
      this.written.set(run.runId, done);
      this.enqueue(run, () => this.clearOldResults(run));
    }
    for (const step of run.steps.values()) {
      if (step.error && !done.has(`error:${step.name}`)) {
        done.add(`error:${step.name}`);
        this.enqueue(run, (doc) => this.writeError(doc, step));
      }
      // Cached steps report their metrics only in run-finished, so this also runs then.
      const finished = step.state === 'succeeded' || step.state === 'cached';
      if (finished && step.metrics.size > 0 && !done.has(`metrics:${step.name}`)) {
        done.add(`metrics:${step.name}`);
        this.enqueue(run, (doc) => this.writeMetrics(doc, run, step));
      }
    }
  }

  private enqueue(run: RunView, edit: (doc: vscode.NotebookDocument) => vscode.NotebookEdit[]): void {
    this.queue = this.queue.then(async () => {
      const doc = vscode.workspace.notebookDocuments.find((each) => each.uri.toString() === run.notebookUri);
      if (!doc) return;
      const edits = edit(doc);
      if (edits.length === 0) return;
      const workspaceEdit = new vscode.WorkspaceEdit();
      workspaceEdit.set(doc.uri, edits);
      if (!(await vscode.workspace.applyEdit(workspaceEdit)))
        this.options.output.warn(`could not write results of ${run.runId}`);
    });
  }

  private clearOldResults(run: RunView): vscode.NotebookEdit[] {
    const doc = vscode.workspace.notebookDocuments.find((each) => each.uri.toString() === run.notebookUri);
    if (!doc) return [];
    return doc
      .getCells()
      .filter((cell) => cell.outputs.some(Private.isOurs))
      .map((cell) =>
        Private.withOutputs(
          cell,
          cell.outputs.filter((output) => !Private.isOurs(output)),
        ),
      );
  }

  private writeMetrics(doc: vscode.NotebookDocument, run: RunView, step: StepView): vscode.NotebookEdit[] {
    const cell = Private.findCell(doc, step.cells[step.cells.length - 1]);
    if (!cell) return [];
    const data = metricsOutput(run.runId, step);
    const output = new vscode.NotebookCellOutput(
      [vscode.NotebookCellOutputItem.json(data, METRICS_MIME), vscode.NotebookCellOutputItem.text(metricsText(data))],
      { cellpipe: { runId: run.runId } },
    );
    return [Private.withOutputs(cell, [...cell.outputs.filter((each) => !Private.isOurs(each)), output])];
  }

  private writeError(doc: vscode.NotebookDocument, step: StepView): vscode.NotebookEdit[] {
    const error = step.error;
    if (!error) return [];
    const cell = Private.findCell(doc, error.cellId ?? step.cells[step.cells.length - 1]);
    if (!cell) return [];
    const output = new vscode.NotebookCellOutput(
      [vscode.NotebookCellOutputItem.error({ name: error.errorType, message: error.message, stack: error.traceback })],
      { cellpipe: { step: step.name } },
    );
    return [Private.withOutputs(cell, [...cell.outputs.filter((each) => !Private.isOurs(each)), output])];
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

export namespace ResultsWriter {
  export interface IOptions {
    runs: RunStore;
    output: vscode.LogOutputChannel;
  }
}

namespace Private {
  export function isOurs(output: vscode.NotebookCellOutput): boolean {
    return output.metadata?.['cellpipe'] !== undefined || output.items.some((item) => item.mime === METRICS_MIME);
  }

  export function findCell(doc: vscode.NotebookDocument, id: string | undefined): vscode.NotebookCell | undefined {
    return id === undefined ? undefined : doc.getCells().find((cell) => cellId(cell) === id);
  }

  /** The same cell (source, metadata, execution summary) with new outputs, as one replace edit. */
  export function withOutputs(cell: vscode.NotebookCell, outputs: vscode.NotebookCellOutput[]): vscode.NotebookEdit {
    const data = new vscode.NotebookCellData(cell.kind, cell.document.getText(), cell.document.languageId);
    data.metadata = cell.metadata;
    data.outputs = outputs;
    data.executionSummary = cell.executionSummary;
    return vscode.NotebookEdit.replaceCells(new vscode.NotebookRange(cell.index, cell.index + 1), [data]);
  }
}
