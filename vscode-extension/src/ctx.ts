import * as vscode from 'vscode';
import type { RunHandle } from '@cellpipe/core/node';
import { Backends } from './backends.js';
import { readConfig, type CellpipeConfig } from './config.js';
import { CellStatusBar } from './statusBar.js';
import { DiagnosticsView } from './diagnostics.js';
import { GraphPanels } from './graphPanel.js';
import { loadEngine } from './lazy.js';
import { StepLogDocuments } from './logs.js';
import { StepMetricsDocuments } from './metricsDocument.js';
import { describeInterpreter, interpreterFor, type Interpreter } from './python.js';
import { RunProblems } from './runProblems.js';
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
  /** The interpreter of each run this window started, named again when a step misses a module. */
  private readonly interpreters = new Map<string, Interpreter>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly backends = new Backends();

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
      new RunProblems({ runs: this.runs }),
      new DiagnosticsView({ sessions: this.sessions }),
      vscode.workspace.registerTextDocumentContentProvider(StepLogDocuments.scheme, this.logs),
      vscode.workspace.registerTextDocumentContentProvider(
        StepMetricsDocuments.scheme,
        new StepMetricsDocuments({ runs: this.runs }),
      ),
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

  /**
   * Starts a run of the notebook saved at `uri`; reports bad input as one error message and returns undefined. One
   * run per notebook: while one goes, the user chooses between keeping it and "Cancel and Restart".
   */
  async startRun(uri: vscode.Uri): Promise<RunView | undefined> {
    const going = this.runs.all.find((run) => run.notebookUri === uri.toString() && run.state === 'running');
    if (going) {
      const restart = 'Cancel and Restart';
      const answer = await vscode.window.showWarningMessage(
        `cellpipe: a run of ${going.notebookLabel} is going (${going.runId}).`,
        restart,
        'Keep It Running',
      );
      if (answer !== restart) return undefined;
      if (!(await this.cancelAndWait(going))) {
        void vscode.window.showErrorMessage(`cellpipe: run ${going.runId} did not stop; try again`);
        return undefined;
      }
    }
    const open = vscode.workspace.notebookDocuments.find((doc) => doc.uri.toString() === uri.toString());
    // The engine runs the file on disk, so the user's unsaved edits are saved first, as a kernel would run them.
    if (open?.isDirty) await open.save();
    const config = this.config;
    let handle: RunHandle;
    let interpreter: Interpreter | undefined;
    try {
      const backend = await this.backends.for(config);
      if (config.backend === 'local') {
        const { resolvePython } = await loadEngine();
        interpreter = await interpreterFor(uri, config.pythonPath, () => resolvePython(undefined));
      }
      handle = backend.start({
        notebookPath: uri.fsPath,
        python: interpreter?.path,
        jobs: config.parallelism > 0 ? config.parallelism : undefined,
        cache: config.cache,
        ...(config.backend === 'local' ? { warm: config.warmSteps } : {}),
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
    const where = interpreter ? ` with Python ${describeInterpreter(interpreter)}` : ` on ${config.backend}`;
    this.output.info(`run ${handle.runId} of ${run.notebookLabel} started${where}`);
    if (interpreter) {
      this.interpreters.set(handle.runId, interpreter);
      vscode.window.setStatusBarMessage(
        `$(run-all) cellpipe: running ${run.notebookLabel} with ${interpreter.path}`,
        5000,
      );
    }
    void this.follow(handle, run);
    return run;
  }

  /** Cancels a run and waits (up to 15 s) until it has reported its end. */
  private async cancelAndWait(run: RunView): Promise<boolean> {
    this.cancelRun(run.runId);
    for (let waited = 0; run.state === 'running' && waited < 15_000; waited += 100)
      await new Promise((resolve) => setTimeout(resolve, 100));
    return run.state !== 'running';
  }

  cancelRun(runId: string): void {
    this.handles.get(runId)?.cancel();
  }

  private async follow(handle: RunHandle, run: RunView): Promise<void> {
    try {
      for await (const event of handle.events) {
        this.runs.apply(event);
        if (event.type === 'step-state' && event.reason)
          this.output.info(`${event.step}: ${event.state} (${event.reason})`);
        if (event.type === 'step-error' && event.errorType === 'ModuleNotFoundError')
          void this.explainMissingModule(handle.runId, event.step, event.message);
        if (event.type === 'run-finished') {
          this.output.info(`run ${event.runId} ${event.state} in ${event.elapsedMs} ms`);
          void this.notifyFinished(run);
        }
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.runs.fail(handle.runId, message);
      this.output.error(message);
    } finally {
      this.handles.delete(handle.runId);
      this.interpreters.delete(handle.runId);
    }
  }

  /** A missing module usually means the wrong interpreter: name the one used and how to choose another. */
  private async explainMissingModule(runId: string, step: string, message: string): Promise<void> {
    const interpreter = this.interpreters.get(runId);
    const used = interpreter ? describeInterpreter(interpreter) : 'the configured interpreter';
    const text = `cellpipe: step '${step}' failed: ${message}, in Python ${used}. Install it there, or choose another interpreter with the setting cellpipe.pythonPath or the Python extension's "Python: Select Interpreter".`;
    this.output.warn(text);
    const setting = 'Set cellpipe.pythonPath';
    const pythonExtension = vscode.extensions.getExtension('ms-python.python') ? 'Select Interpreter' : undefined;
    const answer = await vscode.window.showErrorMessage(text, setting, ...(pythonExtension ? [pythonExtension] : []));
    if (answer === setting)
      await vscode.commands.executeCommand('workbench.action.openSettings', 'cellpipe.pythonPath');
    else if (answer && answer === pythonExtension) await vscode.commands.executeCommand('python.setInterpreter');
  }

  /** A notification when a run ends, naming the failed steps; a click on Show Runs opens the Runs view. */
  private async notifyFinished(run: RunView): Promise<void> {
    const failed = [...run.steps.values()].filter((step) => step.state === 'failed').map((step) => `'${step.name}'`);
    const show = 'Show Runs';
    const answer =
      run.state === 'failed'
        ? await vscode.window.showErrorMessage(
            `cellpipe: ${run.notebookLabel} failed${failed.length ? ` in step ${failed.join(', ')}` : ''}`,
            show,
          )
        : await vscode.window.showInformationMessage(`cellpipe: ${run.notebookLabel} ${run.state}`, show);
    if (answer === show) await vscode.commands.executeCommand('cellpipe.runs.focus');
  }

  dispose(): void {
    for (const handle of this.handles.values()) handle.cancel();
    for (const disposable of this.disposables.splice(0).reverse()) disposable.dispose();
    this.backends.dispose();
  }
}

export namespace Ctx {
  export interface IOptions {
    context: vscode.ExtensionContext;
  }
}
