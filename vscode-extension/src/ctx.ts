import * as vscode from 'vscode';
import type { RunHandle } from '@cellpipe/core/node';
import { backendFor } from './backends.js';
import { readConfig, type CellpipeConfig } from './config.js';
import { CellStatusBar } from './statusBar.js';
import { DiagnosticsView } from './diagnostics.js';
import { GraphPanels } from './graphPanel.js';
import { StepLogDocuments } from './logs.js';
import { pythonFor } from './python.js';
import { ResultsWriter } from './results.js';
import { RunStore, type RunView } from './runs.js';
import { RunsTree } from './runsTree.js';
import { NotebookSessions } from './sessions.js';

/** The one object every command and view shares (after rust-analyzer's `Ctx`). */
export class Ctx implements vscode.Disposable {
  readonly context: vscode.ExtensionContext;
  readonly output: vscode.LogOutputChannel;
  readonly runs = new RunStore();
  readonly sessions: NotebookSessions;
  readonly logs: StepLogDocuments;
  readonly graphs: GraphPanels;
  private readonly handles = new Map<string, RunHandle>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(options: Ctx.IOptions) {
    this.context = options.context;
    this.output = vscode.window.createOutputChannel('cellpipe', { log: true });
    this.sessions = new NotebookSessions();
    this.logs = new StepLogDocuments({ runs: this.runs });
    const statusBar = new CellStatusBar({ runs: this.runs, sessions: this.sessions });
    this.disposables.push(
      this.output,
      this.sessions,
      this.logs,
      statusBar,
      new RunsTree({ runs: this.runs }),
      new ResultsWriter({ runs: this.runs, output: this.output }),
      new DiagnosticsView({ sessions: this.sessions }),
      vscode.workspace.registerTextDocumentContentProvider(StepLogDocuments.scheme, this.logs),
      vscode.notebooks.registerNotebookCellStatusBarItemProvider('jupyter-notebook', statusBar),
    );
    this.graphs = new GraphPanels({
      sessions: this.sessions,
      runs: this.runs,
      extensionUri: this.context.extensionUri,
    });
    this.disposables.push(this.graphs);
    this.context.subscriptions.push(this);
  }

  get config(): CellpipeConfig {
    return readConfig(vscode.workspace.getConfiguration('cellpipe'));
  }

  subscribe(disposable: vscode.Disposable): void {
    this.disposables.push(disposable);
  }

  /** Starts a run of the notebook saved at `uri`; reports bad input as one error message and returns undefined. */
  async startRun(uri: vscode.Uri): Promise<RunView | undefined> {
    const open = vscode.workspace.notebookDocuments.find((doc) => doc.uri.toString() === uri.toString());
    // The engine runs the file on disk, so the user's unsaved edits are saved first, as a kernel would run them.
    if (open?.isDirty) await open.save();
    const config = this.config;
    let handle: RunHandle;
    try {
      const backend = await backendFor(config);
      const python = await pythonFor(uri, config.pythonPath);
      handle = backend.start({
        notebookPath: uri.fsPath,
        python,
        jobs: config.parallelism > 0 ? config.parallelism : undefined,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.output.error(message);
      void vscode.window.showErrorMessage(message);
      return undefined;
    }
    const run = this.runs.begin({
      runId: handle.runId,
      notebookUri: uri.toString(),
      notebookLabel: vscode.workspace.asRelativePath(uri),
      backend: config.backend,
    });
    this.handles.set(handle.runId, handle);
    this.output.info(`run ${handle.runId} of ${run.notebookLabel} started`);
    void this.follow(handle);
    return run;
  }

  cancelRun(runId: string): void {
    this.handles.get(runId)?.cancel();
  }

  private async follow(handle: RunHandle): Promise<void> {
    try {
      for await (const event of handle.events) {
        this.runs.apply(event);
        if (event.type === 'step-state' && event.reason)
          this.output.info(`${event.step}: ${event.state} (${event.reason})`);
        if (event.type === 'run-finished')
          this.output.info(`run ${event.runId} ${event.state} in ${event.elapsedMs} ms`);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.runs.fail(handle.runId, message);
      this.output.error(message);
    } finally {
      this.handles.delete(handle.runId);
    }
  }

  dispose(): void {
    for (const handle of this.handles.values()) handle.cancel();
    for (const disposable of this.disposables.splice(0).reverse()) disposable.dispose();
  }
}

export namespace Ctx {
  export interface IOptions {
    context: vscode.ExtensionContext;
  }
}
