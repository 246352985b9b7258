import * as vscode from 'vscode';
import { readNotebook, type Notebook } from '@cellpipe/core';
import { cellId, cellTags, toCoreCell } from './cells.js';
import { loadEngine } from './lazy.js';
import { NotebookSession } from './session.js';

/** A `NotebookSession` per open Jupyter notebook, updated from the editor's change events. */
export class NotebookSessions implements vscode.Disposable {
  private readonly sessions = new Map<string, NotebookSession>();
  private readonly changed = new vscode.EventEmitter<vscode.NotebookDocument>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** Fires after every analysed change (synchronously, so cell status bars stay in step with typing). */
  readonly onDidChange = this.changed.event;

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidChangeNotebookDocument((event) => this.update(event)),
      vscode.workspace.onDidCloseNotebookDocument((doc) => this.sessions.delete(doc.uri.toString())),
    );
  }

  /** The session of a Jupyter notebook, created on first use; undefined for other notebook types. */
  get(doc: vscode.NotebookDocument): NotebookSession | undefined {
    if (doc.notebookType !== 'jupyter-notebook') return undefined;
    const key = doc.uri.toString();
    let session = this.sessions.get(key);
    if (!session) {
      session = new NotebookSession({
        notebook: toCoreNotebook(doc),
        loadAnalyzer: async () => (await loadEngine()).NotebookAnalyzer,
      });
      this.sessions.set(key, session);
    }
    return session;
  }

  private update(event: vscode.NotebookDocumentChangeEvent): void {
    const session = this.sessions.get(event.notebook.uri.toString());
    if (!session) return;
    // After the file changed on disk the editor's cells may carry ids the session never saw: start from the document.
    const unknownCell = event.cellChanges.some((change) => !session.hasCell(cellId(change.cell)));
    if (event.contentChanges.length > 0 || unknownCell) {
      session.setCells(event.notebook.getCells().map(toCoreCell));
    } else {
      for (const change of event.cellChanges) {
        if (!change.document && !change.metadata) continue;
        session.updateCell(cellId(change.cell), {
          source: change.cell.document.getText(),
          tags: cellTags(change.cell),
        });
      }
    }
    this.changed.fire(event.notebook);
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
    this.sessions.clear();
  }
}

/** Core's view of an open notebook; notebook-level settings go through core's own reader. */
export function toCoreNotebook(doc: vscode.NotebookDocument): Notebook {
  const name = vscode.workspace.asRelativePath(doc.uri);
  const metadata = Private.nbformatMetadata(doc.metadata);
  let settings: Notebook['settings'] = {};
  let language = 'python';
  try {
    const header = readNotebook(JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata, cells: [] }), name);
    settings = header.settings;
    language = header.language;
  } catch (error) {
    // Bad notebook settings are reported when the pipeline runs or compiles; the editor still shows the cells.
    void error;
  }
  return { name, cells: doc.getCells().map(toCoreCell), settings, language };
}

namespace Private {
  export function nbformatMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
    const inner = metadata['metadata'] ?? (metadata['custom'] as Record<string, unknown> | undefined)?.['metadata'];
    return typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : {};
  }
}
