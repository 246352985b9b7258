import * as vscode from 'vscode';
import type { CellMembership } from '@cellpipe/core';
import { cellId, cellTags, metadataWithTags } from './cells.js';
import type { Ctx } from './ctx.js';
import { loadEngine } from './lazy.js';
import { StepLogDocuments } from './logs.js';
import { StepMetricsDocuments } from './metricsDocument.js';
import { commandNotebook } from './notebookTarget.js';
import { tagChoices } from './tagPick.js';

type Factory = (ctx: Ctx) => (...args: never[]) => unknown;

/** A step of a run, as the Runs view and the cell status bar pass it to commands. */
interface StepRef {
  runId: string;
  step: string;
}

/** Every command, registered in one place (`cellpipe.<verb><Noun>`). */
export function registerCommands(ctx: Ctx): void {
  const commands: Record<string, Factory> = {
    'cellpipe.runPipeline': runPipeline,
    'cellpipe.showGraph': showGraph,
    'cellpipe.compilePipeline': compilePipeline,
    'cellpipe.tagCell': tagCell,
    'cellpipe.cancelRun': cancelRun,
    'cellpipe.rerun': rerun,
    'cellpipe.revealCell': revealCell,
    'cellpipe.openStepLog': openStepLog,
    'cellpipe.showStepMetrics': showStepMetrics,
  };
  for (const [id, factory] of Object.entries(commands)) {
    ctx.subscribe(vscode.commands.registerCommand(id, factory(ctx) as (...args: unknown[]) => unknown));
  }
}

function runPipeline(ctx: Ctx) {
  return async (target?: unknown): Promise<void> => {
    const uri = Private.notebookUri(target);
    if (!uri) return Private.noNotebook();
    const doc = await vscode.workspace.openNotebookDocument(uri);
    // So the user watches the run: states and metrics appear on the cells.
    await vscode.window.showNotebookDocument(doc, { preserveFocus: false, preview: false });
    await ctx.startRun(uri);
  };
}

function showGraph(ctx: Ctx) {
  return async (target?: unknown): Promise<void> => {
    const uri = Private.notebookUri(target);
    if (!uri) return Private.noNotebook();
    const doc = await vscode.workspace.openNotebookDocument(uri);
    ctx.graphs.show(doc);
  };
}

function compilePipeline(ctx: Ctx) {
  return async (target?: unknown): Promise<void> => {
    const uri = Private.notebookUri(target);
    if (!uri) return Private.noNotebook();
    const doc = await vscode.workspace.openNotebookDocument(uri);
    const session = ctx.sessions.get(doc);
    if (!session) return Private.noNotebook();
    const format = await vscode.window.showQuickPick(
      [
        { label: 'Argo Workflow', description: 'argoproj.io/v1alpha1 Workflow YAML', id: 'argo' as const },
        { label: 'Kubeflow Pipelines v2', description: 'KFP pipeline spec YAML', id: 'kfp' as const },
      ],
      { title: 'Compile Pipeline', placeHolder: 'Target' },
    );
    if (!format) return;
    const config = ctx.config;
    try {
      // Compiles what the editor shows, unsaved edits included.
      const { compileArgo, compileKfp, runtimeFiles } = await loadEngine();
      const graph = await session.graph();
      const common = { runtimeFiles: runtimeFiles(), image: config.defaultImage || undefined };
      const yaml =
        format.id === 'argo'
          ? compileArgo(session.snapshot, graph, { ...common, namespace: config.namespace || undefined })
          : compileKfp(session.snapshot, graph, common);
      // An untitled document named after the notebook (wine.argo.yaml beside wine.ipynb): Save writes it there.
      const target = uri.with({ scheme: 'untitled', path: uri.path.replace(/\.ipynb$/i, '') + `.${format.id}.yaml` });
      const text = await vscode.workspace.openTextDocument(target);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(target, new vscode.Range(0, 0, text.lineCount, 0), yaml);
      await vscode.workspace.applyEdit(edit);
      await vscode.languages.setTextDocumentLanguage(text, 'yaml');
      await vscode.window.showTextDocument(text, { preview: false });
    } catch (error) {
      void vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error));
    }
  };
}

function tagCell(ctx: Ctx) {
  return async (target?: unknown): Promise<void> => {
    const cell = Private.targetCell(target);
    if (!cell) {
      void vscode.window.showErrorMessage('cellpipe: select a code cell of a Jupyter notebook to tag');
      return;
    }
    const session = ctx.sessions.get(cell.notebook);
    const member: CellMembership | undefined = session?.roleOf(cellId(cell));
    const choices = tagChoices(member, session?.stepNames ?? []);
    const picked = await vscode.window.showQuickPick(choices, {
      title: `Tag cell ${cell.index + 1} as…`,
      placeHolder: cellTags(cell).join(' ') || 'No tags yet',
    });
    if (!picked) return;
    const value = await Private.askValue(picked.ask, member, session?.stepNames ?? []);
    if (picked.ask && value === undefined) return;
    const tags = picked.apply(cellTags(cell), value);
    const edit = new vscode.WorkspaceEdit();
    edit.set(cell.notebook.uri, [
      vscode.NotebookEdit.updateCellMetadata(cell.index, metadataWithTags(cell.metadata, tags)),
    ]);
    await vscode.workspace.applyEdit(edit);
  };
}

function cancelRun(ctx: Ctx) {
  return (node?: { runId?: string }): void => {
    const runId = node?.runId ?? ctx.runs.all.find((run) => run.state === 'running')?.runId;
    if (runId) ctx.cancelRun(runId);
  };
}

function rerun(ctx: Ctx) {
  return async (node?: { runId?: string }): Promise<void> => {
    const run = node?.runId ? ctx.runs.get(node.runId) : ctx.runs.all[0];
    if (run) await ctx.startRun(vscode.Uri.parse(run.notebookUri));
  };
}

function revealCell(ctx: Ctx) {
  return async (ref?: StepRef): Promise<void> => {
    const run = ref && ctx.runs.get(ref.runId);
    const first = run?.steps.get(ref?.step ?? '')?.cells[0];
    if (!run || first === undefined) return;
    const doc = await vscode.workspace.openNotebookDocument(vscode.Uri.parse(run.notebookUri));
    await revealCellById(doc, first);
  };
}

/** Shows the notebook with the cell of that id selected and scrolled into view. */
export async function revealCellById(doc: vscode.NotebookDocument, id: string): Promise<void> {
  const cell = doc.getCells().find((candidate) => cellId(candidate) === id);
  if (!cell) return;
  const range = new vscode.NotebookRange(cell.index, cell.index + 1);
  const editor = await vscode.window.showNotebookDocument(doc, { selections: [range], preview: false });
  editor.revealRange(range, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
}

function openStepLog(ctx: Ctx) {
  return async (ref?: StepRef): Promise<void> => {
    if (!ref || !ctx.runs.get(ref.runId)) return;
    const doc = await vscode.workspace.openTextDocument(StepLogDocuments.uriFor(ref.runId, ref.step));
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  };
}

function showStepMetrics(ctx: Ctx) {
  return async (ref?: StepRef): Promise<void> => {
    if (!ref || !ctx.runs.get(ref.runId)) return;
    const uri = StepMetricsDocuments.uriFor(ref.runId, ref.step);
    try {
      await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
    } catch {
      // Without the built-in Markdown extension the same text opens as a document.
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
    }
  };
}

namespace Private {
  export function noNotebook(): void {
    void vscode.window.showErrorMessage('cellpipe: open or select a Jupyter notebook (.ipynb) first');
  }

  /** The notebook a command is about: the Explorer's file, the given editor, else the active notebook or tab. */
  export function notebookUri(target: unknown): vscode.Uri | undefined {
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    return commandNotebook({
      explorerFile: target instanceof vscode.Uri ? target : undefined,
      toolbarEditor: (target as { notebookEditor?: { notebookUri?: vscode.Uri } } | undefined)?.notebookEditor
        ?.notebookUri,
      activeEditor: vscode.window.activeNotebookEditor?.notebook.uri,
      activeTab: tab instanceof vscode.TabInputNotebook ? tab : undefined,
    });
  }

  export function targetCell(target: unknown): vscode.NotebookCell | undefined {
    const candidate = target as vscode.NotebookCell | undefined;
    if (candidate && typeof candidate === 'object' && 'notebook' in candidate && 'document' in candidate)
      return candidate;
    const editor = vscode.window.activeNotebookEditor;
    const index = editor?.selection.start;
    const cell = index !== undefined ? editor?.notebook.cellAt(index) : undefined;
    return cell?.kind === vscode.NotebookCellKind.Code ? cell : undefined;
  }

  export async function askValue(
    ask: 'step-name' | 'image' | 'limit' | 'prev' | undefined,
    member: CellMembership | undefined,
    stepNames: readonly string[],
  ): Promise<string | string[] | undefined> {
    switch (ask) {
      case undefined:
        return undefined;
      case 'step-name':
        return vscode.window
          .showInputBox({
            title: 'New step name',
            prompt: 'Lower-case letters, digits and dashes run everywhere (Kubernetes names)',
            validateInput: (text) =>
              /^[A-Za-z0-9_.-]+$/.test(text.trim()) ? undefined : 'Use letters, digits, - _ and . only',
          })
          .then((text) => text?.trim());
      case 'image':
        return vscode.window.showInputBox({
          title: 'Container image (empty removes the tag)',
          value: member?.tags.image ?? '',
        });
      case 'limit':
        return vscode.window.showInputBox({
          title: 'Resource limit',
          prompt: 'RESOURCE=QUANTITY, e.g. cpu=2 or memory=4Gi (empty quantity removes it)',
          validateInput: (text) => (/^[A-Za-z0-9./-]+=\S*$/.test(text.trim()) ? undefined : 'Write RESOURCE=QUANTITY'),
        });
      case 'prev': {
        const current = new Set(member?.tags.prev ?? []);
        const picked = await vscode.window.showQuickPick(
          stepNames.filter((name) => name !== member?.step).map((name) => ({ label: name, picked: current.has(name) })),
          { title: 'Runs after these steps (prev:)', canPickMany: true },
        );
        return picked?.map((item) => item.label);
      }
    }
  }
}
