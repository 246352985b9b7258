import * as vscode from 'vscode';
import type { AnalysisWarning } from '@cellpipe/core';
import { cellId } from './cells.js';
import type { NotebookSessions } from './sessions.js';

/** Analysis warnings (syntax errors, unknown tags, cycles, …) as Problems on the cells they are about. */
export class DiagnosticsView implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('cellpipe');
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  /** Cell documents each notebook's Problems were set on, so cells since deleted or replaced lose theirs. */
  private readonly published = new Map<string, Set<string>>();

  constructor(private readonly options: DiagnosticsView.IOptions) {
    this.disposables.push(
      options.sessions.onDidChange((doc) => this.schedule(doc)),
      vscode.workspace.onDidOpenNotebookDocument((doc) => this.schedule(doc)),
      vscode.workspace.onDidCloseNotebookDocument((doc) => {
        for (const cell of doc.getCells()) this.collection.delete(cell.document.uri);
      }),
    );
    for (const doc of vscode.workspace.notebookDocuments) this.schedule(doc);
  }

  /** The graph is recomputed at most every 300 ms while typing; status bars do not wait for it. */
  private schedule(doc: vscode.NotebookDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        void this.publish(doc);
      }, 300),
    );
  }

  private async publish(doc: vscode.NotebookDocument): Promise<void> {
    const session = this.options.sessions.get(doc);
    if (!session) return;
    const graph = await session.graph();
    if (doc.isClosed) return;
    const byCell = new Map<string, AnalysisWarning[]>();
    const unplaced: AnalysisWarning[] = [];
    for (const warning of graph.warnings) {
      if (warning.cellId === undefined) unplaced.push(warning);
      else byCell.set(warning.cellId, [...(byCell.get(warning.cellId) ?? []), warning]);
    }
    const cells = doc.getCells();
    const current = new Set(cells.map((cell) => cell.document.uri.toString()));
    for (const stale of this.published.get(doc.uri.toString()) ?? [])
      if (!current.has(stale)) this.collection.delete(vscode.Uri.parse(stale));
    this.published.set(doc.uri.toString(), current);
    for (const cell of cells) {
      const warnings = [...(byCell.get(cellId(cell)) ?? []), ...(cell.index === 0 ? unplaced : [])];
      this.collection.set(
        cell.document.uri,
        warnings.map((warning) => Private.diagnostic(cell, warning)),
      );
    }
  }

  dispose(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    for (const disposable of this.disposables) disposable.dispose();
  }
}

export namespace DiagnosticsView {
  export interface IOptions {
    sessions: NotebookSessions;
  }
}

namespace Private {
  const ERRORS = new Set(['syntax-error', 'cycle', 'malformed-tag']);

  export function diagnostic(cell: vscode.NotebookCell, warning: AnalysisWarning): vscode.Diagnostic {
    const lastLine = Math.max(0, cell.document.lineCount - 1);
    const line = Math.min(Math.max(0, (warning.line ?? 1) - 1), lastLine);
    const range = cell.document.lineAt(line).range;
    const severity = ERRORS.has(warning.code) ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning;
    const diagnostic = new vscode.Diagnostic(range, warning.message, severity);
    diagnostic.source = 'cellpipe';
    diagnostic.code = warning.code;
    return diagnostic;
  }
}
