import type * as vscode from 'vscode';

/** The `cellpipe.*` settings, read fresh for every command so edits apply without a reload. */
export interface CellpipeConfig {
  backend: 'local' | 'argo';
  pythonPath: string;
  parallelism: number;
  warmSteps: boolean;
  cache: boolean;
  kubeContext: string;
  namespace: string;
  defaultImage: string;
}

/** Reads the settings through VS Code's configuration API, falling back to the manifest defaults. */
export function readConfig(section: Pick<vscode.WorkspaceConfiguration, 'get'>): CellpipeConfig {
  const backend = section.get<string>('backend', 'local');
  return {
    backend: backend === 'argo' ? 'argo' : 'local',
    pythonPath: section.get<string>('pythonPath', '').trim(),
    parallelism: Math.max(0, Math.floor(section.get<number>('parallelism', 0) || 0)),
    warmSteps: section.get<boolean>('warmSteps', true) !== false,
    cache: section.get<boolean>('cache', true) !== false,
    kubeContext: section.get<string>('kubeContext', '').trim(),
    namespace: section.get<string>('namespace', '').trim(),
    defaultImage: section.get<string>('defaultImage', '').trim(),
  };
}
