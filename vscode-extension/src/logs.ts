import * as vscode from 'vscode';
import type { RunStore } from './runs.js';

/**
 * Step logs as read-only text documents (`cellpipe-log:/RUN/STEP.log`): plain text in an editor, never HTML, and
 * kept current while the step runs.
 */
export class StepLogDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  static readonly scheme = 'cellpipe-log';
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private readonly runs: RunStore;

  constructor(options: StepLogDocuments.IOptions) {
    this.runs = options.runs;
    this.subscription = options.runs.onDidChange((run) => {
      for (const step of run.steps.keys()) this.changed.fire(StepLogDocuments.uriFor(run.runId, step));
    });
  }

  static uriFor(runId: string, step: string): vscode.Uri {
    return vscode.Uri.from({ scheme: StepLogDocuments.scheme, path: `/${runId}/${step}.log` });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [, runId, file] = uri.path.split('/');
    const step = file?.replace(/\.log$/, '');
    const view = runId ? this.runs.get(runId)?.steps.get(step ?? '') : undefined;
    if (!view) return `No log for ${uri.path}: the run is not in this window.`;
    const trailer = view.error ? `\n${view.error.traceback}` : '';
    return view.log + trailer || `(${view.name} has written nothing yet; state: ${view.state})`;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

export namespace StepLogDocuments {
  export interface IOptions {
    runs: RunStore;
  }
}
