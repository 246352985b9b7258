import * as vscode from 'vscode';

/** The part of the Python extension's public API (`ms-python.python` exports) cellpipe uses. */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string };
    resolveEnvironment(path: string): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
  };
}

/**
 * The interpreter for a local run: `cellpipe.pythonPath`, else the one selected in the Python extension when it is
 * installed, else undefined (core then tries CELLPIPE_PYTHON, the active venv, python3).
 */
export async function pythonFor(resource: vscode.Uri, configured: string): Promise<string | undefined> {
  if (configured) return configured;
  const extension = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!extension) return undefined;
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const environments = api?.environments;
    if (!environments) return undefined;
    const active = environments.getActiveEnvironmentPath(resource);
    const resolved = await environments.resolveEnvironment(active.path);
    return resolved?.executable.uri?.fsPath;
  } catch {
    // A broken Python extension must not stop a run: core's own interpreter lookup still applies.
    return undefined;
  }
}
