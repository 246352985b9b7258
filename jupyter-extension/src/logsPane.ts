import { MainAreaWidget } from '@jupyterlab/apputils';
import type { LabIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import { el } from './dom';

/** The one main-area pane that shows logs: every Logs click replaces its text instead of opening another split. */
export class LogsPane {
  constructor(private readonly options: LogsPane.IOptions) {}

  show(title: string, text: string, failed: boolean): void {
    if (!this.widget || this.widget.isDisposed) {
      const content = new Widget();
      content.addClass('cellpipe-Logs');
      this.widget = new MainAreaWidget({ content });
      this.widget.id = 'cellpipe-logs';
      this.widget.title.icon = this.options.icon;
      this.widget.title.closable = true;
      this.options.add(this.widget);
    }
    const pre = el('pre', undefined, text || '(no output)');
    // Error colours only for a failed step's log: a successful step printing to stderr is not an error.
    this.widget.content.node.dataset['failed'] = String(failed);
    this.widget.content.node.replaceChildren(pre);
    this.widget.title.label = title;
    this.options.activate(this.widget);
  }

  private widget?: MainAreaWidget;
}

export namespace LogsPane {
  export interface IOptions {
    icon: LabIcon;
    add: (widget: MainAreaWidget) => void;
    activate: (widget: MainAreaWidget) => void;
  }
}
