import * as vscode from 'vscode';
import type { RunStore } from './runs.js';
import { markdownText, metricsMarkdown } from './stepResults.js';

/** `cellpipe-metrics:/RUN/STEP.md`: opened in the Markdown preview from the metrics item of the cell status bar. */
export class StepMetricsDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  static readonly scheme = 'cellpipe-metrics';
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly options: StepMetricsDocuments.IOptions) {
    this.subscription = options.runs.onDidChange((run) => {
      for (const step of run.steps.keys()) this.changed.fire(StepMetricsDocuments.uriFor(run.runId, step));
    });
  }

  static uriFor(runId: string, step: string): vscode.Uri {
    return vscode.Uri.from({ scheme: StepMetricsDocuments.scheme, path: `/${runId}/${step}.md` });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [, runId, file] = uri.path.split('/');
    const step = runId ? this.options.runs.get(runId)?.steps.get(file?.replace(/\.md$/, '') ?? '') : undefined;
    return step && runId
      ? metricsMarkdown(runId, step)
      : `No metrics for ${markdownText(uri.path)}: the run is not in this window.\n`;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

export namespace StepMetricsDocuments {
  export interface IOptions {
    runs: RunStore;
  }
}
