/** The parts of an nbformat-4 notebook that cellpipe reads. Editors adapt their own cell models to this. */

export type CellType = 'code' | 'markdown' | 'raw';

export interface NotebookCell {
  /** nbformat 4.5 cell id; older notebooks get a stable id derived from the index (see `readNotebook`). */
  id: string;
  /** 0-based position among all cells of the notebook. */
  index: number;
  cellType: CellType;
  source: string;
  tags: string[];
}

export interface CellpipeNotebookSettings {
  /** Default container image for every step. */
  image?: string;
  /** Defaults for per-step settings, same keys as the per-step tags. */
  stepDefaults?: StepSettings;
  /** Pipeline name; the file name without extension when absent. */
  name?: string;
}

export interface StepSettings {
  image?: string;
  /** Kubernetes resource name → quantity, from `limit:RESOURCE:QTY`. */
  limits?: Record<string, string>;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  cache?: boolean;
  retries?: number;
  /** Seconds, from `timeout:DURATION` (e.g. `30s`, `5m`, `1h`). */
  timeoutSeconds?: number;
}

export interface Notebook {
  /** Path or display name, used in messages only. */
  name: string;
  cells: NotebookCell[];
  settings: CellpipeNotebookSettings;
  /** Kernel language as declared in metadata; cellpipe only analyses Python. */
  language: string;
}
