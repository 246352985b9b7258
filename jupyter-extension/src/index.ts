import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  InputDialog,
  MainAreaWidget,
  Notification,
  showDialog,
  showErrorMessage,
} from '@jupyterlab/apputils';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { downloadIcon, LabIcon, stopIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import { logText, type ParameterValue, type RunProgress, type StepState } from '@cellpipe/core';
import { requestAPI, type RunRequest, type RunSummary } from './api';
import { LogsPane } from './logsPane';
import { NotebookDecorator } from './notebookDecorator';
import { PipelineModel } from './pipelineModel';
import { RunController } from './runController';
import { parameterOverrides } from './runParameters';
import { applyFormValues, formValuesFromTags, knownStepNames, type StepFormValues } from './stepForm';
import { DagView } from './widgets/dagView';
import { ParametersForm } from './widgets/parametersForm';
import { PipelinePanel } from './widgets/pipelinePanel';
import { RunsPanel } from './widgets/runsPanel';
import { StepEditor } from './widgets/stepEditor';

const PLUGIN_ID = 'cellpipe-jupyterlab:plugin';

export namespace CommandIDs {
  export const runPipeline = 'cellpipe:run-pipeline';
  export const runWithParameters = 'cellpipe:run-with-parameters';
  export const exportPipeline = 'cellpipe:export-pipeline';
  export const editStep = 'cellpipe:edit-step';
  export const showPipeline = 'cellpipe:show-pipeline';
  export const openGraph = 'cellpipe:open-graph';
  export const showRuns = 'cellpipe:show-runs';
  export const cancelRun = 'cellpipe:cancel-run';
}

const TARGETS = { argo: 'Argo Workflow', kfp: 'Kubeflow Pipelines v2' } as const;
type Target = keyof typeof TARGETS;

const pipelineIcon = new LabIcon({
  name: 'cellpipe:pipeline',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24"><g class="jp-icon3" fill="#616161"><rect x="9" y="2" width="6" height="5" rx="1"/><rect x="2" y="17" width="6" height="5" rx="1"/><rect x="16" y="17" width="6" height="5" rx="1"/><path d="M11.5 7h1v4h6.5v6h-1v-5h-12v5h-1v-6h6.5z"/></g></svg>',
});

/** Settings as the schema declares them (schema/plugin.json). */
interface ICellpipeSettings {
  backend: 'local' | 'argo';
  jobs: number;
  cache: boolean;
  warmSteps: boolean;
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
    const revealInCurrent = (cellId: string) => tracker.currentWidget && revealCell(tracker.currentWidget, cellId);
    const logsPane = new LogsPane({
      icon: pipelineIcon,
      add: (widget) => app.shell.add(widget, 'main', { mode: 'split-bottom' }),
      activate: (widget) => app.shell.activateById(widget.id),
    });
    const showLogs = (results: RunProgress, step?: string) => {
      const failed = step === undefined ? results.state === 'failed' : results.steps.get(step)?.state === 'failed';
      logsPane.show(`cellpipe logs: ${step ?? results.runId}`, logText(results, step), failed);
    };

    let mainGraph: { widget: MainAreaWidget; view: DagView } | undefined;
    const openGraphInMain = () => {
      if (mainGraph && !mainGraph.widget.isDisposed) return void app.shell.activateById(mainGraph.widget.id);
      const view = new DagView({ onRevealCell: revealInCurrent });
      const widget = new MainAreaWidget({ content: new Widget({ node: view.node }) });
      widget.id = 'cellpipe-graph-main';
      widget.title.label = 'Pipeline graph';
      widget.title.icon = pipelineIcon;
      widget.title.closable = true;
      mainGraph = { widget, view };
      const drawing = pipelinePanel.drawing;
      if (drawing) view.draw(drawing.layout, drawing.graph);
      view.setStates(currentRunStates());
      app.shell.add(widget, 'main');
    };

    const pipelinePanel = new PipelinePanel({ onRevealCell: revealInCurrent, onOpenInMain: openGraphInMain });
    pipelinePanel.title.icon = pipelineIcon;
    pipelinePanel.layoutChanged = (layout, graph) => {
      if (mainGraph && !mainGraph.widget.isDisposed) mainGraph.view.draw(layout, graph);
    };
    app.shell.add(pipelinePanel, 'right', { rank: 600 });

    const currentRunStates = (): Map<string, StepState> | null => {
      const panel = tracker.currentWidget;
      const run = panel ? decorators.get(panel)?.currentRun : undefined;
      return run ? new Map([...run.steps].map(([name, step]) => [name, step.state])) : null;
    };
    const showRunStates = () => {
      const states = currentRunStates();
      pipelinePanel.setRunStates(states);
      if (mainGraph && !mainGraph.widget.isDisposed) mainGraph.view.setStates(states);
    };

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
        try {
          const text = await controller.logs(run.runId, run.notebookPath);
          logsPane.show(`cellpipe logs: ${run.runId}`, text, run.state === 'failed');
        } catch (error) {
          void showErrorMessage('cellpipe', (error as Error).message);
        }
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
    /** The run going on each notebook (by path): one at a time per notebook. */
    const activeRuns = new Map<string, RunProgress>();
    /** Notebooks whose Run was clicked and whose run id has not come back yet. */
    const starting = new Set<string>();
    const runCommandsChanged = () => {
      for (const id of [CommandIDs.runPipeline, CommandIDs.runWithParameters, CommandIDs.cancelRun])
        app.commands.notifyCommandChanged(id);
    };
    const runPaths = new Map<string, string>();
    const controller = new RunController({
      onRunStarted: (results, path) => {
        runPaths.set(results.runId, path);
        activeRuns.set(path, results);
        decoratorFor(path)?.startRun(results);
        runCommandsChanged();
        showRunStates();
        void refreshRuns();
      },
      onRunChanged: (results, steps, event) => {
        const path = runPaths.get(results.runId) ?? '';
        decoratorFor(path)?.applyRun(results, steps);
        if (tracker.currentWidget?.context.path === path) showRunStates();
        if (event.type === 'run-finished') {
          if (activeRuns.get(path) === results) activeRuns.delete(path);
          runCommandsChanged();
          Private.notifyFinished(path, results);
          void refreshRuns();
        }
      },
    });
    const ticker = setInterval(() => {
      if (activeRuns.size > 0) for (const decorator of decorators.values()) decorator.tick();
    }, 500);
    const canRun = (panel: NotebookPanel | null) =>
      panel !== null && !activeRuns.has(panel.context.path) && !starting.has(panel.context.path);

    const startRun = async (panel: NotebookPanel, parameters?: Record<string, ParameterValue>) => {
      const path = panel.context.path;
      if (starting.has(path)) return;
      const going = activeRuns.get(path);
      if (going) {
        const answer = await showDialog({
          title: 'A run of this notebook is going',
          body: `Run ${going.runId} of ${path} has not finished. Cancel it and start again?`,
          buttons: [
            Dialog.cancelButton({ label: 'Keep it running' }),
            Dialog.warnButton({ label: 'Cancel and restart' }),
          ],
        });
        if (!answer.button.accept) return;
        await controller.cancel(going.runId);
        // The next run starts once the cancelled one has reported its end, so two runs never share the notebook.
        for (let waited = 0; activeRuns.get(path) === going && waited < 15_000; waited += 100) await Private.sleep(100);
      }
      if (settings.backend === 'argo' && !settings.namespace) {
        return void showErrorMessage('cellpipe', 'Set a namespace for the argo backend in Settings → cellpipe.');
      }
      starting.add(path);
      runCommandsChanged();
      try {
        await panel.context.save();
        const request: RunRequest = {
          path,
          backend: settings.backend,
          jobs: settings.jobs,
          cache: settings.cache,
          ...(parameters && Object.keys(parameters).length > 0 ? { parameters } : {}),
          ...(settings.backend === 'argo'
            ? { kubeContext: settings.kubeContext, namespace: settings.namespace, image: settings.image }
            : { warm: settings.warmSteps }),
        };
        await controller.start(request);
      } catch (error) {
        void showErrorMessage('cellpipe: run failed to start', (error as Error).message);
      } finally {
        starting.delete(path);
        runCommandsChanged();
      }
    };

    const runWithParameters = async (panel: NotebookPanel) => {
      const graph = decorators.get(panel)?.model.graph;
      if (!graph) return;
      if (Object.keys(graph.parameters).length === 0) {
        return void showErrorMessage(
          'cellpipe',
          'This notebook has no pipeline parameters: tag a cell of NAME = value lines "parameters" (Edit Pipeline Step…).',
        );
      }
      let typed: Record<string, string> | undefined;
      let error: string | undefined;
      for (;;) {
        const result = await showDialog({
          title: `Run ${panel.context.path} with parameters`,
          body: new ParametersForm({ defaults: graph.parameters, typed, error }),
          buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Run' })],
        });
        if (!result.button.accept || !result.value) return;
        try {
          return await startRun(panel, parameterOverrides(graph, result.value));
        } catch (refused) {
          typed = result.value;
          error = (refused as Error).message;
        }
      }
    };

    const exportPipeline = async (panel: NotebookPanel, chosen?: Target) => {
      let target = chosen;
      if (!target) {
        const picked = await InputDialog.getItem({
          title: 'Export pipeline as',
          items: Object.values(TARGETS),
          current: TARGETS.argo,
        });
        if (!picked.button.accept || !picked.value) return;
        target = (Object.keys(TARGETS) as Target[]).find((key) => TARGETS[key] === picked.value);
        if (!target) return;
      }
      try {
        await panel.context.save();
        const path = panel.context.path;
        const { text } = await requestAPI<{ text: string }>('compile', {
          method: 'POST',
          body: JSON.stringify({ path, target }),
        });
        const outPath = path.replace(/\.ipynb$/i, '') + `.${target}.yaml`;
        await app.serviceManager.contents.save(outPath, { type: 'file', format: 'text', content: text });
        await app.commands.execute('docmanager:open', { path: outPath });
      } catch (error) {
        void showErrorMessage('cellpipe: export failed', (error as Error).message);
      }
    };

    const editStep = async (panel: NotebookPanel, cellId: string) => {
      const cell = panel.content.widgets.find((candidate) => candidate.model.id === cellId);
      if (!cell) return;
      const stepNames = knownStepNames(decorators.get(panel)?.model.graph);
      const tags = cell.model.getMetadata('tags');
      const current = Array.isArray(tags) ? (tags as string[]) : [];
      let values: StepFormValues = formValuesFromTags(current);
      let error: string | undefined;
      for (;;) {
        const result = await showDialog({
          title: `Pipeline step of cell ${panel.content.widgets.indexOf(cell) + 1}`,
          body: new StepEditor({ values, stepNames, error }),
          buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Apply' })],
        });
        if (!result.button.accept || !result.value) return;
        try {
          const next = applyFormValues(current, result.value, stepNames);
          if (next.length > 0) cell.model.setMetadata('tags', next);
          else cell.model.deleteMetadata('tags');
          return;
        } catch (refused) {
          // Shown again with what was typed and why it was refused.
          values = result.value;
          error = (refused as Error).message;
        }
      }
    };

    app.commands.addCommand(CommandIDs.runPipeline, {
      label: 'Run as Pipeline',
      caption: () =>
        tracker.currentWidget && activeRuns.has(tracker.currentWidget.context.path)
          ? 'A run of this notebook is going (cancel it with the stop button or in the Runs panel)'
          : 'Run this notebook as a cellpipe pipeline',
      icon: pipelineIcon,
      isEnabled: () => canRun(tracker.currentWidget),
      execute: async () => {
        const panel = tracker.currentWidget;
        if (panel) await startRun(panel);
      },
    });
    app.commands.addCommand(CommandIDs.runWithParameters, {
      label: 'Run Pipeline with Parameters…',
      caption: 'Run this notebook as a pipeline with other values of its pipeline parameters',
      isEnabled: () => canRun(tracker.currentWidget),
      execute: async () => {
        const panel = tracker.currentWidget;
        if (panel) await runWithParameters(panel);
      },
    });
    app.commands.addCommand(CommandIDs.exportPipeline, {
      label: (args) => {
        const target = args['target'] as Target | undefined;
        return target && TARGETS[target] ? `Export Pipeline as ${TARGETS[target]} YAML` : 'Export Pipeline…';
      },
      caption: 'Compile this notebook to a workflow file saved next to it',
      icon: downloadIcon,
      isEnabled: () => tracker.currentWidget !== null,
      execute: async (args) => {
        const panel = tracker.currentWidget;
        const target = args['target'] as Target | undefined;
        if (panel) await exportPipeline(panel, target && TARGETS[target] ? target : undefined);
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
    app.commands.addCommand(CommandIDs.openGraph, {
      label: 'Open Pipeline Graph in Main Area',
      execute: openGraphInMain,
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
      icon: stopIcon,
      isEnabled: () => {
        const path = tracker.currentWidget?.context.path;
        return path !== undefined && activeRuns.has(path);
      },
      execute: async () => {
        const path = tracker.currentWidget?.context.path;
        const run = path !== undefined ? activeRuns.get(path) : undefined;
        if (run) await controller.cancel(run.runId);
      },
    });
    if (palette) {
      for (const command of Object.values(CommandIDs)) {
        if (command === CommandIDs.exportPipeline) {
          for (const target of Object.keys(TARGETS))
            palette.addItem({ command, args: { target }, category: 'cellpipe' });
        } else palette.addItem({ command, category: 'cellpipe' });
      }
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
      showRunStates();
      runCommandsChanged();
      void refreshRuns();
    };
    /** Puts the results of the notebook's latest run (from its run record) back on its cells after a reload. */
    const restoreLatestRun = async (decorator: NotebookDecorator) => {
      const path = decorator.panel.context.path;
      try {
        const results = await controller.restoreLatest(path);
        if (!results || (decorator.currentRun && decorator.currentRun !== results)) return;
        if (!decorator.currentRun) decorator.startRun(results);
        decorator.applyRun(results, [...results.steps.keys()]);
        if (tracker.currentWidget === decorator.panel) showRunStates();
      } catch (error) {
        console.warn(`cellpipe: ${(error as Error).message}`);
      }
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
        await restoreLatestRun(decorator);
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
      jobs: 2,
      cache: true,
      warmSteps: true,
      kubeContext: '',
      namespace: 'default',
      image: 'python:3.11-slim',
    };
  }

  export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** A notification when a run ends, naming the failed steps, so a user working elsewhere learns it. */
  export function notifyFinished(path: string, results: RunProgress): void {
    const failed = [...results.steps.values()].filter((step) => step.state === 'failed').map((step) => step.name);
    if (results.state === 'failed')
      Notification.error(
        `cellpipe: ${path} failed${failed.length ? ` in step ${failed.map((name) => `'${name}'`).join(', ')}` : ''}`,
        { autoClose: 8000 },
      );
    else if (results.state === 'succeeded') Notification.success(`cellpipe: ${path} succeeded`, { autoClose: 4000 });
    else Notification.info(`cellpipe: ${path} ${results.state}`, { autoClose: 4000 });
  }
}

export default plugin;
