import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, ICommandPalette, MainAreaWidget, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { LabIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import { logText, type RunProgress } from '@cellpipe/core';
import type { RunRequest, RunSummary } from './api';
import { el } from './dom';
import { NotebookDecorator } from './notebookDecorator';
import { PipelineModel } from './pipelineModel';
import { RunController } from './runController';
import { applyFormValues, formValuesFromTags, knownStepNames } from './stepForm';
import { PipelinePanel } from './widgets/pipelinePanel';
import { RunsPanel } from './widgets/runsPanel';
import { StepEditor } from './widgets/stepEditor';

const PLUGIN_ID = 'cellpipe-jupyterlab:plugin';

export namespace CommandIDs {
  export const runPipeline = 'cellpipe:run-pipeline';
  export const editStep = 'cellpipe:edit-step';
  export const showPipeline = 'cellpipe:show-pipeline';
  export const showRuns = 'cellpipe:show-runs';
  export const cancelRun = 'cellpipe:cancel-run';
}

const pipelineIcon = new LabIcon({
  name: 'cellpipe:pipeline',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24"><g class="jp-icon3" fill="#616161"><rect x="9" y="2" width="6" height="5" rx="1"/><rect x="2" y="17" width="6" height="5" rx="1"/><rect x="16" y="17" width="6" height="5" rx="1"/><path d="M11.5 7h1v4h6.5v6h-1v-5h-12v5h-1v-6h6.5z"/></g></svg>',
});

/** Settings as the schema declares them (schema/plugin.json). */
interface ICellpipeSettings {
  backend: 'local' | 'argo';
  python: string;
  jobs: number;
  cache: boolean;
  kubeContext: string;
  namespace: string;
  image: string;
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Tag cells as pipeline steps, see the DAG and run the notebook as a pipeline.',
  autoStart: true,
  requires: [INotebookTracker, IRenderMimeRegistry],
  optional: [ISettingRegistry, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    rendermime: IRenderMimeRegistry,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
  ) => {
    let settings: ICellpipeSettings = Private.defaults();
    if (settingRegistry) {
      void settingRegistry.load(PLUGIN_ID).then((loaded) => {
        const read = () => (settings = { ...Private.defaults(), ...(loaded.composite as Partial<ICellpipeSettings>) });
        read();
        loaded.changed.connect(read);
      });
    }

    const decorators = new Map<NotebookPanel, NotebookDecorator>();
    const revealCell = (panel: NotebookPanel, cellId: string) => {
      const index = panel.content.widgets.findIndex((cell) => cell.model.id === cellId);
      if (index < 0) return;
      app.shell.activateById(panel.id);
      panel.content.activeCellIndex = index;
      void panel.content.scrollToItem(index, 'center');
    };
    const showLogs = (results: RunProgress, step?: string) => {
      const content = new Widget();
      content.addClass('cellpipe-Logs');
      content.node.append(el('pre', undefined, logText(results, step) || '(no output)'));
      const widget = new MainAreaWidget({ content });
      widget.title.label = `cellpipe logs: ${step ?? results.runId}`;
      widget.title.icon = pipelineIcon;
      app.shell.add(widget, 'main', { mode: 'split-bottom' });
    };

    const pipelinePanel = new PipelinePanel({
      onRevealCell: (cellId) => tracker.currentWidget && revealCell(tracker.currentWidget, cellId),
    });
    pipelinePanel.title.icon = pipelineIcon;
    app.shell.add(pipelinePanel, 'right', { rank: 600 });

    const refreshRuns = async (): Promise<void> => {
      const path = tracker.currentWidget?.context.path ?? null;
      if (!path) return runsPanel.setRuns(null, []);
      try {
        runsPanel.setRuns(path, await controller.list(path));
      } catch (error) {
        runsPanel.setRuns(path, []);
        console.warn(`cellpipe: ${(error as Error).message}`);
      }
    };
    const runsPanel: RunsPanel = new RunsPanel({
      onRefresh: refreshRuns,
      onLogs: async (run: RunSummary) => {
        const live = controller.runs.get(run.runId);
        if (live) return showLogs(live);
        let text: string;
        try {
          text = await controller.logs(run.runId, run.notebookPath);
        } catch (error) {
          return void showErrorMessage('cellpipe', (error as Error).message);
        }
        const content = new Widget();
        content.addClass('cellpipe-Logs');
        content.node.append(el('pre', undefined, text));
        const widget = new MainAreaWidget({ content });
        widget.title.label = `cellpipe logs: ${run.runId}`;
        app.shell.add(widget, 'main', { mode: 'split-bottom' });
      },
      onRerun: async (run: RunSummary) => {
        const panel = tracker.find((candidate) => candidate.context.path === run.notebookPath) ?? tracker.currentWidget;
        if (panel) await startRun(panel);
      },
      onCancel: async (run: RunSummary) => {
        try {
          await controller.cancel(run.runId);
        } catch (error) {
          void showErrorMessage('cellpipe', (error as Error).message);
        }
        await refreshRuns();
      },
    });
    runsPanel.title.icon = pipelineIcon;
    runsPanel.title.label = 'Runs';
    app.shell.add(runsPanel, 'right', { rank: 601 });

    const decoratorFor = (path: string) => [...decorators.values()].find((d) => d.panel.context.path === path);
    const activeRuns = new Set<RunProgress>();
    const controller = new RunController({
      onRunStarted: (results, path) => {
        runPaths.set(results.runId, path);
        activeRuns.add(results);
        decoratorFor(path)?.startRun(results);
        void refreshRuns();
      },
      onRunChanged: (results, steps, event) => {
        decoratorFor(runPaths.get(results.runId) ?? '')?.applyRun(results, steps);
        if (event.type === 'run-finished') {
          activeRuns.delete(results);
          void refreshRuns();
        }
      },
    });
    const runPaths = new Map<string, string>();
    const ticker = setInterval(() => {
      if (activeRuns.size > 0) for (const decorator of decorators.values()) decorator.tick();
    }, 500);

    const startRun = async (panel: NotebookPanel) => {
      if (settings.backend === 'argo' && !settings.namespace) {
        return void showErrorMessage('cellpipe', 'Set a namespace for the argo backend in Settings → cellpipe.');
      }
      await panel.context.save();
      const request: RunRequest = {
        path: panel.context.path,
        backend: settings.backend,
        jobs: settings.jobs,
        cache: settings.cache,
        ...(settings.python ? { python: settings.python } : {}),
        ...(settings.backend === 'argo'
          ? { kubeContext: settings.kubeContext, namespace: settings.namespace, image: settings.image }
          : {}),
      };
      try {
        await controller.start(request);
      } catch (error) {
        void showErrorMessage('cellpipe: run failed to start', (error as Error).message);
      }
    };

    const editStep = async (panel: NotebookPanel, cellId: string) => {
      const cell = panel.content.widgets.find((candidate) => candidate.model.id === cellId);
      const model = decorators.get(panel)?.model;
      if (!cell) return;
      const tags = cell.model.getMetadata('tags');
      const current = Array.isArray(tags) ? (tags as string[]) : [];
      const body = new StepEditor({ values: formValuesFromTags(current), stepNames: knownStepNames(model?.graph) });
      const result = await showDialog({
        title: `Pipeline step of cell ${panel.content.widgets.indexOf(cell)}`,
        body,
        buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Apply' })],
      });
      if (!result.button.accept || !result.value) return;
      try {
        const next = applyFormValues(current, result.value);
        if (next.length > 0) cell.model.setMetadata('tags', next);
        else cell.model.deleteMetadata('tags');
      } catch (error) {
        void showErrorMessage('cellpipe', (error as Error).message);
      }
    };

    app.commands.addCommand(CommandIDs.runPipeline, {
      label: 'Run as Pipeline',
      caption: 'Run this notebook as a cellpipe pipeline',
      icon: pipelineIcon,
      isEnabled: () => tracker.currentWidget !== null,
      execute: async () => {
        const panel = tracker.currentWidget;
        if (panel) await startRun(panel);
      },
    });
    app.commands.addCommand(CommandIDs.editStep, {
      label: 'Edit Pipeline Step…',
      isEnabled: () => tracker.activeCell?.model.type === 'code',
      execute: async (args) => {
        const panel = tracker.currentWidget;
        const cellId = (args['cellId'] as string | undefined) ?? tracker.activeCell?.model.id;
        if (panel && cellId) await editStep(panel, cellId);
      },
    });
    app.commands.addCommand(CommandIDs.showPipeline, {
      label: 'Show Pipeline Panel',
      execute: () => app.shell.activateById(pipelinePanel.id),
    });
    app.commands.addCommand(CommandIDs.showRuns, {
      label: 'Show Pipeline Runs',
      execute: async () => {
        app.shell.activateById(runsPanel.id);
        await refreshRuns();
      },
    });
    app.commands.addCommand(CommandIDs.cancelRun, {
      label: 'Cancel Running Pipeline',
      isEnabled: () => activeRuns.size > 0,
      execute: async () => {
        for (const run of activeRuns) await controller.cancel(run.runId);
      },
    });
    if (palette) {
      for (const command of Object.values(CommandIDs)) palette.addItem({ command, category: 'cellpipe' });
    }

    const showCurrent = () => {
      const panel = tracker.currentWidget;
      const decorator = panel ? decorators.get(panel) : undefined;
      const start = performance.now();
      pipelinePanel.setGraph(panel ? panel.context.path : null, decorator ? decorator.model.graph : null);
      // Measured so that benchmarks can read how long showing a notebook's pipeline takes, layout included.
      void pipelinePanel.layoutDone.then(() =>
        performance.measure('cellpipe:panel-open', { start, end: performance.now(), detail: panel?.context.path }),
      );
      void refreshRuns();
    };
    tracker.widgetAdded.connect((_, panel) => {
      void panel.context.ready.then(async () => {
        await panel.revealed;
        const model = new PipelineModel({ panel });
        const decorator = new NotebookDecorator({
          panel,
          model,
          rendermime,
          onEditStep: (target, cellId) => void editStep(target, cellId),
          onShowLogs: showLogs,
        });
        decorators.set(panel, decorator);
        model.changed.connect((_, graph) => {
          if (tracker.currentWidget === panel) pipelinePanel.setGraph(panel.context.path, graph);
        });
        panel.content.model?.cells.changed.connect(() => requestAnimationFrame(() => decorator.sync()));
        panel.disposed.connect(() => {
          decorator.dispose();
          model.dispose();
          decorators.delete(panel);
        });
        if (tracker.currentWidget === panel) showCurrent();
      });
    });
    tracker.currentChanged.connect(showCurrent);
    app.restored.then(showCurrent).catch(() => undefined);
    window.addEventListener('beforeunload', () => clearInterval(ticker));
  },
};

namespace Private {
  export function defaults(): ICellpipeSettings {
    return {
      backend: 'local',
      python: '',
      jobs: 2,
      cache: true,
      kubeContext: '',
      namespace: 'default',
      image: 'python:3.11-slim',
    };
  }
}

export default plugin;
