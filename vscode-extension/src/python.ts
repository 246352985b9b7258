import * as vscode from 'vscode';

/** The part of the Python extension's public API (`ms-python.python` exports) cellpipe uses. */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string };
    resolveEnvironment(path: string): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
  };
}

/** The interpreter a run uses and where that choice came from, said in the Output channel and at run start. */
export interface Interpreter {
  path: string;
  source: 'setting' | 'python-extension' | 'fallback';
}

/** How a person reads the choice, with the way to change it. */
export function describeInterpreter(interpreter: Interpreter): string {
  switch (interpreter.source) {
    case 'setting':
      return `${interpreter.path} (setting cellpipe.pythonPath)`;
    case 'python-extension':
      return `${interpreter.path} (the Python extension's selected interpreter)`;
    case 'fallback':
      return `${interpreter.path} (no cellpipe.pythonPath and no Python extension: CELLPIPE_PYTHON, the active virtualenv, else python3)`;
  }
}

/**
 * The interpreter for a local run: `cellpipe.pythonPath`, else the one selected in the Python extension when it is
 * installed, else core's own choice (CELLPIPE_PYTHON, the active venv, python3), given as `fallback`.
 */
export async function interpreterFor(
  resource: vscode.Uri,
  configured: string,
  fallback: () => string,
): Promise<Interpreter> {
  if (configured) return { path: configured, source: 'setting' };
  const selected = await Private.selectedInPythonExtension(resource);
  return selected ? { path: selected, source: 'python-extension' } : { path: fallback(), source: 'fallback' };
}

namespace Private {
  export async function selectedInPythonExtension(resource: vscode.Uri): Promise<string | undefined> {
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
}
