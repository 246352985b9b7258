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
    const refresh = el('button', 'cellpipe-RunsPanel-refresh', 'Refresh');
    refresh.type = 'button';
    refresh.addEventListener('click', () => void options.onRefresh());
    this.list = el('ul', 'cellpipe-RunList');
    this.node.append(this.header, refresh, this.list);
  }

  setRuns(notebookPath: string | null, runs: RunSummary[]): void {
    this.header.textContent = notebookPath ? `Runs of ${notebookPath}` : 'Open a notebook to see its runs.';
    this.list.replaceChildren(...runs.map((run) => this.item(run)));
  }

  private item(run: RunSummary): HTMLLIElement {
    const item = el('li', 'cellpipe-Run');
    item.dataset['state'] = run.state;
    item.dataset['runId'] = run.runId;
    const when = run.startedAt ? new Date(run.startedAt).toLocaleString() : '';
    item.append(
      el('span', 'cellpipe-Run-state', run.state),
      el('span', 'cellpipe-Run-id', run.runId),
      el('span', 'cellpipe-Run-when', when),
      el('span', 'cellpipe-Run-elapsed', formatElapsed(run.elapsedMs)),
    );
    const metrics = Object.entries(run.metrics ?? {}).flatMap(([step, values]) =>
      Object.entries(values).map(
        ([name, value]) =>
          `${step}.${name}=${typeof value === 'number' ? String(Number(value.toPrecision(4))) : String(value)}`,
      ),
    );
    if (metrics.length > 0) item.append(el('div', 'cellpipe-Run-metrics', metrics.join('  ')));
    const buttons = el('div', 'cellpipe-Run-actions');
    buttons.append(
      this.button('Logs', () => this.actions.onLogs(run)),
      this.button('Re-run', () => this.actions.onRerun(run)),
    );
    if (run.state === 'running') buttons.append(this.button('Cancel', () => this.actions.onCancel(run)));
    item.append(buttons);
    return item;
  }

  private button(label: string, action: () => void | Promise<void>): HTMLButtonElement {
    const button = el('button', `cellpipe-Run-${label.toLowerCase().replace(/[^a-z]/g, '')}`, label);
    button.type = 'button';
    button.addEventListener('click', () => void action());
    return button;
  }

  private readonly actions: RunsPanel.IOptions;
  private readonly header: HTMLDivElement;
  private readonly list: HTMLUListElement;
}

export namespace RunsPanel {
  export interface IOptions {
    onRefresh: () => void | Promise<void>;
    onLogs: (run: RunSummary) => void | Promise<void>;
    onRerun: (run: RunSummary) => void | Promise<void>;
    onCancel: (run: RunSummary) => void | Promise<void>;
  }
}
