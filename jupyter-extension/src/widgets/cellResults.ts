import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Panel, Widget } from '@lumino/widgets';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { el } from '../dom';
import { latestMetrics, metricCharts, type RunProgress, type StepProgress } from '@cellpipe/core';

/** What a finished step leaves under its cell: metrics table, charts of metric series, traceback, a logs link. */
export class CellResults extends Panel {
  constructor(options: CellResults.IOptions) {
    super();
    this.addClass('cellpipe-CellResults');
    this.rendermime = options.rendermime;
    this.onShowLogs = options.onShowLogs;
    // The text part is the first child widget so that charts, added after it, render below it.
    const text = new Widget({ node: this.content });
    this.addWidget(text);
  }

  /** Replaces the content with a step's results. */
  showStep(results: RunProgress, step: StepProgress, cellId: string): void {
    for (const chart of this.widgets.slice(1)) chart.dispose();
    this.content.replaceChildren();
    const header = el('div', 'cellpipe-CellResults-header');
    header.append(el('span', 'cellpipe-CellResults-title', `cellpipe · ${step.name} · ${step.state}`));
    const logs = el('button', 'cellpipe-CellResults-logs', 'Logs');
    logs.type = 'button';
    logs.addEventListener('click', () => this.onShowLogs(results, step.name));
    header.append(logs);
    this.content.append(header);
    if (step.error && (step.error.cellId === undefined || step.error.cellId === cellId)) {
      const error = el(
        'pre',
        'cellpipe-Traceback',
        step.error.traceback || `${step.error.errorType}: ${step.error.message}`,
      );
      this.content.append(el('div', 'cellpipe-ErrorLine', `${step.error.errorType}: ${step.error.message}`), error);
    } else if (step.state === 'failed' && step.reason) {
      this.content.append(el('div', 'cellpipe-ErrorLine', step.reason));
    }
    if (step.metrics.size > 0) this.content.append(Private.metricsTable(step));
    for (const chart of metricCharts(step)) void this.renderChart(chart.spec);
  }

  private async renderChart(spec: Record<string, unknown>): Promise<void> {
    const mime = 'application/vnd.vegalite.v5+json';
    const preferred = this.rendermime.preferredMimeType({ [mime]: spec as ReadonlyPartialJSONObject }, 'any');
    if (!preferred) return;
    const renderer = this.rendermime.createRenderer(preferred);
    const model = this.rendermime.createModel({ data: { [mime]: spec } as never, trusted: true });
    renderer.addClass('cellpipe-Chart');
    this.addWidget(renderer);
    await renderer.renderModel(model);
  }

  private readonly content = el('div', 'cellpipe-CellResults-content');
  private readonly rendermime: IRenderMimeRegistry;
  private readonly onShowLogs: (results: RunProgress, step: string) => void;
}

export namespace CellResults {
  export interface IOptions {
    rendermime: IRenderMimeRegistry;
    onShowLogs: (results: RunProgress, step: string) => void;
  }
}

namespace Private {
  export function metricsTable(step: StepProgress): HTMLTableElement {
    const table = el('table', 'cellpipe-Metrics');
    const head = el('tr');
    head.append(el('th', undefined, 'metric'), el('th', undefined, 'value'));
    table.append(head);
    for (const [name, value] of latestMetrics(step)) {
      const row = el('tr');
      row.append(el('td', undefined, name), el('td', undefined, Private.format(value)));
      table.append(row);
    }
    return table;
  }

  export function format(value: unknown): string {
    return typeof value === 'number' && !Number.isInteger(value) ? String(Number(value.toPrecision(4))) : String(value);
  }
}
