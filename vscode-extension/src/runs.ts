import { RunProgress, type RunEvent, type StepProgress } from '@cellpipe/core';

/** What the editor knows about one step of a run: core's model of it. */
export type StepView = StepProgress;

/** One run of this window: core's `RunProgress` plus where the editor started it. */
export class RunView extends RunProgress {
  readonly notebookUri: string;
  readonly notebookLabel: string;
  readonly backend: 'local' | 'argo';
  readonly startedAt: number;
  /** A run that could not start, with the one-line reason. */
  error?: string;

  constructor(options: RunView.IOptions, startedAt: number) {
    super(options.runId);
    this.notebookUri = options.notebookUri;
    this.notebookLabel = options.notebookLabel;
    this.backend = options.backend;
    this.startedAt = startedAt;
  }
}

export namespace RunView {
  export interface IOptions {
    runId: string;
    notebookUri: string;
    notebookLabel: string;
    backend: 'local' | 'argo';
  }
}

/** Every run of this window, newest first, updated from `RunEvent`s; listeners hear about each change. */
export class RunStore {
  private readonly runs = new Map<string, RunView>();
  private readonly listeners = new Set<(run: RunView) => void>();

  get all(): RunView[] {
    return [...this.runs.values()].sort((a, b) => b.startedAt - a.startedAt);
  }

  get(runId: string): RunView | undefined {
    return this.runs.get(runId);
  }

  /** The newest run of a notebook, which the cell status bar shows. */
  latestFor(notebookUri: string): RunView | undefined {
    return this.all.find((run) => run.notebookUri === notebookUri);
  }

  /** True while any run of this window is going. */
  get running(): boolean {
    return this.all.some((run) => run.state === 'running');
  }

  onDidChange(listener: (run: RunView) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  begin(run: RunView.IOptions, now = Date.now()): RunView {
    const view = new RunView(run, now);
    this.runs.set(run.runId, view);
    this.emit(view);
    return view;
  }

  /** Marks a run that failed before its first event (bad notebook, missing Python). */
  fail(runId: string, message: string): void {
    const run = this.runs.get(runId);
    if (!run) return;
    run.state = 'failed';
    run.error = message;
    this.emit(run);
  }

  apply(event: RunEvent, now = Date.now()): RunView | undefined {
    const run = this.runs.get(event.runId);
    if (!run) return undefined;
    run.apply(event, now);
    this.emit(run);
    return run;
  }

  private emit(run: RunView): void {
    for (const listener of this.listeners) listener(run);
  }
}
