import * as vscode from 'vscode';
import { formatElapsed, stepElapsedMs, type RunState, type StepState } from '@cellpipe/core';
import type { RunStore, RunView, StepView } from './runs.js';
import { RunTicker } from './ticker.js';

/** A node of the Runs view: a run, or one step of it. */
export type RunsNode = { kind: 'run'; runId: string } | { kind: 'step'; runId: string; step: string };

const STATE_ICONS: Record<StepState | RunState, [string, string?]> = {
  pending: ['circle-outline'],
  queued: ['clock'],
  running: ['sync~spin', 'charts.blue'],
  cached: ['history', 'charts.green'],
  succeeded: ['pass-filled', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  skipped: ['debug-step-over'],
  cancelled: ['circle-slash'],
  interrupted: ['debug-disconnect', 'testing.iconErrored'],
};

/** The Runs view: runs newest first, their steps in graph order, with state and elapsed time. */
export class RunsTree implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private readonly ticker: RunTicker;

  constructor(private readonly options: RunsTree.IOptions) {
    // Redraws once a second while a run is going so running steps' elapsed times tick.
    this.ticker = new RunTicker({ runs: options.runs, onTick: () => this.changed.fire(undefined) });
    this.disposables.push(
      this.ticker,
      options.runs.onDidChange(() => {
        this.changed.fire(undefined);
        this.ticker.update();
      }),
      vscode.window.createTreeView('cellpipe.runs', { treeDataProvider: this, showCollapseAll: true }),
    );
  }

  getChildren(node?: RunsNode): RunsNode[] {
    if (!node) return this.options.runs.all.map((run) => ({ kind: 'run', runId: run.runId }));
    if (node.kind === 'step') return [];
    const run = this.options.runs.get(node.runId);
    return run ? [...run.steps.keys()].map((step) => ({ kind: 'step', runId: node.runId, step })) : [];
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    const run = this.options.runs.get(node.runId);
    if (!run) return new vscode.TreeItem('(gone)');
    return node.kind === 'run' ? Private.runItem(run) : Private.stepItem(run, run.steps.get(node.step));
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}

export namespace RunsTree {
  export interface IOptions {
    runs: RunStore;
  }
}

namespace Private {
  function icon(state: StepState | RunState): vscode.ThemeIcon {
    const [id, color] = STATE_ICONS[state];
    return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
  }

  export function runItem(run: RunView): vscode.TreeItem {
    const item = new vscode.TreeItem(run.notebookLabel, vscode.TreeItemCollapsibleState.Expanded);
    item.id = run.runId;
    const elapsed = run.elapsedMs !== undefined ? ` ${formatElapsed(run.elapsedMs)}` : '';
    item.description = `${run.state}${elapsed} · ${run.backend} · ${run.runId}`;
    item.tooltip = run.error ? `${run.runId}: ${run.error}` : `${run.runId} (${run.backend})`;
    item.iconPath = icon(run.state);
    item.contextValue = run.state === 'running' ? 'run-running' : 'run-finished';
    return item;
  }

  export function stepItem(run: RunView, step: StepView | undefined): vscode.TreeItem {
    if (!step) return new vscode.TreeItem('(gone)');
    const item = new vscode.TreeItem(step.name, vscode.TreeItemCollapsibleState.None);
    item.id = `${run.runId}/${step.name}`;
    const elapsed = formatElapsed(stepElapsedMs(step, Date.now()));
    item.description = `${step.state}${elapsed ? ` ${elapsed}` : ''}`;
    item.tooltip = step.reason ? `${step.name}: ${step.reason}` : step.name;
    item.iconPath = icon(step.state);
    item.contextValue = 'step';
    item.command = {
      title: 'Reveal Cell',
      command: 'cellpipe.revealCell',
      arguments: [{ runId: run.runId, step: step.name }],
    };
    return item;
  }
}
