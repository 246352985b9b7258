import { formatElapsed } from '@cellpipe/core';
import { Widget } from '@lumino/widgets';
import type { RunSummary } from '../api';
import { el } from '../dom';

/** Past and running runs of the current notebook, newest first, with logs, re-run and cancel. */
export class RunsPanel extends Widget {
  constructor(options: RunsPanel.IOptions) {
    super();
    this.id = 'cellpipe-runs-panel';
    this.addClass('cellpipe-RunsPanel');
    this.title.caption = 'cellpipe runs';
    this.actions = options;
    this.header = el('div', 'cellpipe-RunsPanel-header', 'Runs');
    const refresh = this.button('Refresh', () => options.onRefresh());
    refresh.classList.add('cellpipe-RunsPanel-refresh');
    this.list = el('ul', 'cellpipe-RunList');
    this.node.append(this.header, refresh, this.list);
    // A running run's elapsed time ticks between refreshes.
    this.ticker = setInterval(() => this.tick(), 1000);
  }

  setRuns(notebookPath: string | null, runs: RunSummary[]): void {
    this.header.textContent = notebookPath ? `Runs of ${notebookPath}` : 'Open a notebook to see its runs.';
    this.list.replaceChildren(...runs.map((run) => this.item(run)));
  }

  override dispose(): void {
    clearInterval(this.ticker);
    super.dispose();
  }

  private item(run: RunSummary): HTMLLIElement {
    const item = el('li', 'cellpipe-Run');
    item.dataset['state'] = run.state;
    item.dataset['runId'] = run.runId;
    item.dataset['backend'] = run.backend ?? 'local';
    const when = run.startedAt ? new Date(run.startedAt).toLocaleString() : '';
    const elapsed = el('span', 'cellpipe-Run-elapsed', RunsPanel.elapsedText(run));
    if (run.state === 'running' && run.startedAt) elapsed.dataset['since'] = run.startedAt;
    const head = el('div', 'cellpipe-Run-head');
    head.append(
      el('span', 'cellpipe-Run-state', run.state),
      elapsed,
      el('span', 'cellpipe-Run-backend', run.backend ?? 'local'),
      el('span', 'cellpipe-Run-when', when),
    );
    item.append(head, el('div', 'cellpipe-Run-id', run.runId));
    if (run.failedSteps && run.failedSteps.length > 0)
      item.append(
        el('div', 'cellpipe-Run-failed', `failed in ${run.failedSteps.map((step) => `'${step}'`).join(', ')}`),
      );
    const metrics = Object.entries(run.metrics ?? {}).flatMap(([step, values]) =>
      Object.entries(values).map(
        ([name, value]) =>
          `${step}.${name} = ${typeof value === 'number' ? String(Number(value.toPrecision(4))) : String(value)}`,
      ),
    );
    if (metrics.length > 0) {
      const list = el('ul', 'cellpipe-Run-metrics');
      list.append(...metrics.map((text) => el('li', undefined, text)));
      item.append(list);
    }
    const buttons = el('div', 'cellpipe-Run-actions');
    buttons.append(
      this.button('Logs', () => this.actions.onLogs(run)),
      this.button('Re-run', () => this.actions.onRerun(run)),
    );
    if (run.state === 'running') buttons.append(this.button('Cancel', () => this.actions.onCancel(run), true));
    item.append(buttons);
    return item;
  }

  private tick(now = Date.now()): void {
    for (const node of this.list.querySelectorAll<HTMLElement>('.cellpipe-Run-elapsed[data-since]')) {
      node.textContent = formatElapsed(Math.max(0, now - Date.parse(node.dataset['since'] ?? '')));
    }
  }

  private button(label: string, action: () => void | Promise<void>, warn = false): HTMLButtonElement {
    const kind = warn ? 'jp-mod-warn' : 'jp-mod-accept';
    const button = el(
      'button',
      `jp-Button jp-mod-styled jp-mod-small ${kind} cellpipe-Run-${label.toLowerCase().replace(/[^a-z]/g, '')}`,
      label,
    );
    button.type = 'button';
    button.addEventListener('click', () => void action());
    return button;
  }

  private readonly actions: RunsPanel.IOptions;
  private readonly header: HTMLDivElement;
  private readonly list: HTMLUListElement;
  private readonly ticker: ReturnType<typeof setInterval>;
}

export namespace RunsPanel {
  export interface IOptions {
    onRefresh: () => void | Promise<void>;
    onLogs: (run: RunSummary) => void | Promise<void>;
    onRerun: (run: RunSummary) => void | Promise<void>;
    onCancel: (run: RunSummary) => void | Promise<void>;
  }

  /** Elapsed time of a listed run: its recorded time, or the time since it started while it runs. */
  export function elapsedText(run: RunSummary, now = Date.now()): string {
    if (run.state === 'running' && run.startedAt) return formatElapsed(Math.max(0, now - Date.parse(run.startedAt)));
    return formatElapsed(run.elapsedMs);
  }
}
