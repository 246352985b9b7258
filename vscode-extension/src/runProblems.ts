import * as vscode from 'vscode';
import { cellId } from './cells.js';
import type { RunStore, RunView } from './runs.js';

/**
 * A failed step's error as a Problem on the line that raised, with the traceback (cells numbered from 1): VS Code
 * styles and wraps it in the hover and the Problems view. Results are never written into the notebook, so a run
 * never enters the user's undo stack; the latest run of a notebook replaces its previous Problems.
 */
export class RunProblems implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('cellpipe run');
  private readonly shown = new Map<string, vscode.Uri[]>();
  private readonly disposables: vscode.Disposable[] = [this.collection];

  constructor(private readonly options: RunProblems.IOptions) {
    this.disposables.push(options.runs.onDidChange((run) => this.publish(run)));
  }

  private publish(run: RunView): void {
    if (this.options.runs.latestFor(run.notebookUri) !== run) return;
    const doc = vscode.workspace.notebookDocuments.find((each) => each.uri.toString() === run.notebookUri);
    for (const uri of this.shown.get(run.notebookUri) ?? []) this.collection.delete(uri);
    if (!doc) return;
    const byCell = new Map<vscode.Uri, vscode.Diagnostic[]>();
    for (const step of run.steps.values()) {
      const error = step.error;
      if (!error) continue;
      const targetId = error.cellId ?? step.cells[step.cells.length - 1];
      const cell = doc.getCells().find((each) => cellId(each) === targetId);
      if (!cell) continue;
      const lastLine = Math.max(0, cell.document.lineCount - 1);
      const line = Math.min(Math.max(0, (error.line ?? 1) - 1), lastLine);
      const diagnostic = new vscode.Diagnostic(
        cell.document.lineAt(line).range,
        `step '${step.name}' failed: ${error.errorType}: ${error.message}\n\n${error.traceback.trimEnd()}`,
        vscode.DiagnosticSeverity.Error,
      );
      diagnostic.source = 'cellpipe run';
      diagnostic.code = step.name;
      byCell.set(cell.document.uri, [...(byCell.get(cell.document.uri) ?? []), diagnostic]);
    }
    for (const [uri, diagnostics] of byCell) this.collection.set(uri, diagnostics);
    this.shown.set(run.notebookUri, [...byCell.keys()]);
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}

export namespace RunProblems {
  export interface IOptions {
    runs: RunStore;
  }
}
