import * as vscode from 'vscode';
import type { PipelineGraph, StepState } from '@cellpipe/core';
import { revealCellById } from './commands.js';
import { loadGraphLayout } from './lazy.js';
import { graphEdges, isRevealStepMessage, type GraphMessage } from './graphModel.js';
import type { RunStore } from './runs.js';
import type { NotebookSessions } from './sessions.js';

/** One graph webview per notebook, redrawn as cells change and as a run moves on. */
export class GraphPanels implements vscode.Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly options: GraphPanels.IOptions) {
    this.disposables.push(
      options.sessions.onDidChange((doc) => this.schedule(doc)),
      options.runs.onDidChange((run) => {
        const doc = vscode.workspace.notebookDocuments.find((each) => each.uri.toString() === run.notebookUri);
        if (doc) this.schedule(doc);
      }),
    );
  }

  show(doc: vscode.NotebookDocument): void {
    const key = doc.uri.toString();
    const existing = this.panels.get(key);
    if (existing) {
      existing.reveal();
      return;
    }
    const media = vscode.Uri.joinPath(this.options.extensionUri, 'media');
    const dist = vscode.Uri.joinPath(this.options.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel(
      'cellpipe.graph',
      `Pipeline: ${vscode.workspace.asRelativePath(doc.uri)}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [media, dist], retainContextWhenHidden: true },
    );
    panel.webview.html = Private.html(panel.webview, media, dist);
    panel.webview.onDidReceiveMessage(async (message: unknown) => {
      if (!isRevealStepMessage(message)) return;
      const graph = await this.options.sessions.get(doc)?.graph();
      const step = graph?.steps.find((each) => each.name === message.step);
      const first = step?.cells[0];
      if (first !== undefined) await revealCellById(doc, first);
    });
    panel.onDidDispose(() => this.panels.delete(key));
    this.panels.set(key, panel);
    void this.redraw(doc);
  }

  private schedule(doc: vscode.NotebookDocument): void {
    const key = doc.uri.toString();
    if (!this.panels.has(key)) return;
    clearTimeout(this.pending.get(key));
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        void this.redraw(doc);
      }, 200),
    );
  }

  private async redraw(doc: vscode.NotebookDocument): Promise<void> {
    const panel = this.panels.get(doc.uri.toString());
    const session = this.options.sessions.get(doc);
    if (!panel || !session) return;
    const run = this.options.runs.latestFor(doc.uri.toString());
    const states = new Map([...(run?.steps.values() ?? [])].map((step) => [step.name, step.state] as const));
    const message = await Private.message(await session.graph(), states);
    await panel.webview.postMessage(message);
  }

  dispose(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    for (const panel of this.panels.values()) panel.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}

export namespace GraphPanels {
  export interface IOptions {
    sessions: NotebookSessions;
    runs: RunStore;
    extensionUri: vscode.Uri;
  }
}

namespace Private {
  /** A one-character state next to the cell count (the border colour says it too). */
  export const STATE_MARKS: Record<StepState, string> = {
    pending: '○',
    queued: '◷',
    running: '▶',
    cached: '✓',
    succeeded: '✓',
    failed: '✗',
    skipped: '–',
    cancelled: '■',
  };

  /** Core lays the graph out; the boxes get room for the step name and a second line of state. */
  export async function message(graph: PipelineGraph, states: Map<string, StepState>): Promise<GraphMessage> {
    const { layoutGraph } = await loadGraphLayout();
    const layout = await layoutGraph(graph, { charWidth: 9.5, nodeHeight: 48 });
    const steps = new Map(graph.steps.map((step) => [step.name, step]));
    const labels = new Map(graphEdges(graph).map((edge) => [`${edge.from}->${edge.to}`, edge.label]));
    return {
      type: 'graph',
      name: graph.name,
      width: layout.width,
      height: layout.height,
      nodes: layout.nodes.map((node) => {
        const step = steps.get(node.name);
        const cells = step?.cells.length ?? 0;
        const state = states.get(node.name);
        return {
          id: node.name,
          label: step?.displayName ?? node.name,
          detail: `${state ? `${STATE_MARKS[state]} ` : ''}${cells} cell${cells === 1 ? '' : 's'}`,
          x: node.x,
          y: node.y,
          width: node.width,
          height: node.height,
          state,
        };
      }),
      edges: layout.edges.map((edge) => ({ ...edge, label: labels.get(`${edge.from}->${edge.to}`) ?? '' })),
      warnings: graph.warnings.map((warning) => warning.message),
    };
  }

  /** The page: no inline script or style, only our own files, so cell text can never run as code. */
  export function html(webview: vscode.Webview, media: vscode.Uri, dist: vscode.Uri): string {
    const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'graph.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'graph.css'));
    const csp = `default-src 'none'; img-src ${webview.cspSource}; style-src ${webview.cspSource}; script-src ${webview.cspSource};`;
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Pipeline graph</title>
</head>
<body>
<main id="graph" aria-label="Pipeline graph"></main>
<ul id="warnings"></ul>
<script src="${script}"></script>
</body>
</html>`;
  }
}
