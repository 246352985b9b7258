import * as vscode from 'vscode';
import { cellId } from './cells.js';
import { roleBadge, runBadge } from './badges.js';
import type { RunStore } from './runs.js';
import type { NotebookSessions } from './sessions.js';
import { formatMetric, metricsSummary, type MetricsSummary } from './stepResults.js';
import { RunTicker } from './ticker.js';

/**
 * Items per code cell: its pipeline role (click to tag), its step's state in the latest run and, on the step's last
 * cell, its metrics (a chart of each series in the tooltip).
 */
export class CellStatusBar implements vscode.NotebookCellStatusBarItemProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private readonly ticker: RunTicker;
  readonly onDidChangeCellStatusBarItems = this.changed.event;

  constructor(private readonly options: CellStatusBar.IOptions) {
    // Refreshes once a second while a run is going so elapsed times tick between events.
    this.ticker = new RunTicker({ runs: options.runs, onTick: () => this.changed.fire() });
    this.disposables.push(
      this.ticker,
      options.sessions.onDidChange(() => this.changed.fire()),
      options.runs.onDidChange(() => {
        this.changed.fire();
        this.ticker.update();
      }),
    );
  }

  provideCellStatusBarItems(cell: vscode.NotebookCell): vscode.NotebookCellStatusBarItem[] {
    const session = this.options.sessions.get(cell.notebook);
    if (!session || cell.kind !== vscode.NotebookCellKind.Code) return [];
    const member = session.roleOf(cellId(cell));
    const items: vscode.NotebookCellStatusBarItem[] = [];
    const role = roleBadge(member) ?? { text: '$(tag) tag', tooltip: 'Tag this cell as a pipeline step' };
    const roleItem = new vscode.NotebookCellStatusBarItem(role.text, vscode.NotebookCellStatusBarAlignment.Left);
    roleItem.tooltip = role.tooltip;
    roleItem.command = { title: 'Tag Cell as Step', command: 'cellpipe.tagCell', arguments: [cell] };
    items.push(roleItem);

    const run = this.options.runs.latestFor(cell.notebook.uri.toString());
    const id = cellId(cell);
    const step = run?.stepOfCell(id);
    if (run && step) {
      const badge = runBadge(step, Date.now());
      const stateItem = new vscode.NotebookCellStatusBarItem(badge.text, vscode.NotebookCellStatusBarAlignment.Left);
      stateItem.tooltip = badge.tooltip;
      stateItem.command = {
        title: 'Open Step Log',
        command: 'cellpipe.openStepLog',
        arguments: [{ runId: run.runId, step: step.name }],
      };
      items.push(stateItem);
      const summary = step.cells[step.cells.length - 1] === id ? metricsSummary(step) : undefined;
      if (summary) {
        const metricsItem = new vscode.NotebookCellStatusBarItem(
          summary.text,
          vscode.NotebookCellStatusBarAlignment.Left,
        );
        metricsItem.tooltip = Private.metricsTooltip(step.name, summary);
        metricsItem.command = {
          title: 'Show Step Metrics',
          command: 'cellpipe.showStepMetrics',
          arguments: [{ runId: run.runId, step: step.name }],
        };
        items.push(metricsItem);
      }
    }
    return items;
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}

export namespace CellStatusBar {
  export interface IOptions {
    runs: RunStore;
    sessions: NotebookSessions;
  }
}

namespace Private {
  export function metricsTooltip(stepName: string, summary: MetricsSummary): string {
    const lines = summary.metrics.map(
      (metric) => `${metric.name} = ${formatMetric(metric.last)}${metric.series ? `   ${metric.series}` : ''}`,
    );
    return [`step ${stepName} · metrics (click for charts)`, ...lines].join('\n');
  }
}
