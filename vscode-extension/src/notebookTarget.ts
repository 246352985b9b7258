import type * as vscode from 'vscode';

/** The notebook type of `.ipynb` files, served by VS Code's built-in ipynb serializer. */
const JUPYTER_NOTEBOOK = 'jupyter-notebook';

/** Where a command can learn its notebook, read off the VS Code API by the command glue. */
export interface NotebookSources {
  /** The file the Explorer's context menu passed. */
  explorerFile?: vscode.Uri;
  /** The editor the notebook toolbar or editor title passed. */
  toolbarEditor?: vscode.Uri;
  /** The notebook editor the extension host knows as active. */
  activeEditor?: vscode.Uri;
  /** The active tab's notebook, which exists before its editor reaches the extension host. */
  activeTab?: { uri: vscode.Uri; notebookType: string };
}

/**
 * The notebook a command is about, most specific first. The active tab counts too: right after Quick Open the tab
 * is there while the notebook still loads and the extension host has no active notebook editor yet.
 */
export function commandNotebook(sources: NotebookSources): vscode.Uri | undefined {
  if (sources.explorerFile) return sources.explorerFile.path.endsWith('.ipynb') ? sources.explorerFile : undefined;
  if (sources.toolbarEditor) return sources.toolbarEditor;
  if (sources.activeEditor) return sources.activeEditor;
  return sources.activeTab?.notebookType === JUPYTER_NOTEBOOK ? sources.activeTab.uri : undefined;
}
