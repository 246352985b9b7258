import { RunProgress, type RunEvent } from '@cellpipe/core';
import { connectEvents, requestAPI, type RunRequest, type RunSummary } from './api';
import { progressFromRecord, type RunRecordView } from './restore';

/**
 * Starts runs through the server extension and folds the server's event stream into core's `RunProgress`.
 * Events can arrive before the POST that started the run returns, so unknown runs are buffered.
 */
export class RunController {
  constructor(options: RunController.IOptions) {
    this.options = options;
    this.connect();
  }

  /** Results of every run this page started or saw, by run id. */
  readonly runs = new Map<string, RunProgress>();

  async start(request: RunRequest): Promise<RunProgress> {
    const { runId } = await requestAPI<{ runId: string }>('runs', { method: 'POST', body: JSON.stringify(request) });
    const results = this.runs.get(runId) ?? new RunProgress(runId);
    this.runs.set(runId, results);
    this.options.onRunStarted(results, request.path);
    for (const event of this.buffered.get(runId) ?? []) this.dispatch(results, event);
    this.buffered.delete(runId);
    return results;
  }

  /**
   * The latest recorded run of a notebook, rebuilt from its run record (after a page reload) and followed from now
   * on when it is still going; undefined when the notebook never ran.
   */
  async restoreLatest(path: string): Promise<RunProgress | undefined> {
    const { run } = await requestAPI<{ run: RunRecordView | null }>(`runs/latest?path=${encodeURIComponent(path)}`);
    if (!run) return undefined;
    const known = this.runs.get(run.runId);
    if (known) return known;
    const results = progressFromRecord(run);
    this.runs.set(run.runId, results);
    // Buffered events may predate the record; the record is the newer truth, later events continue it.
    this.buffered.delete(run.runId);
    if (results.state === 'running') this.options.onRunStarted(results, path);
    return results;
  }

  async cancel(runId: string): Promise<boolean> {
    const { cancelled } = await requestAPI<{ cancelled: boolean }>(`runs/${encodeURIComponent(runId)}/cancel`, {
      method: 'POST',
    });
    return cancelled;
  }

  async list(path: string): Promise<RunSummary[]> {
    const { runs } = await requestAPI<{ runs: RunSummary[] }>(`runs?path=${encodeURIComponent(path)}`);
    return runs;
  }

  /** Logs of a run; `path` (the notebook) finds runs this server did not start since it was launched. */
  async logs(runId: string, path: string): Promise<string> {
    const { text } = await requestAPI<{ text: string }>(
      `runs/${encodeURIComponent(runId)}/logs?path=${encodeURIComponent(path)}`,
    );
    return text;
  }

  dispose(): void {
    this.disposed = true;
    this.socket?.close();
  }

  private connect(): void {
    if (this.disposed) return;
    this.socket = connectEvents(
      (event) => this.onEvent(event),
      () => {
        if (!this.disposed) setTimeout(() => this.connect(), 2000);
      },
    );
  }

  private onEvent(event: RunEvent): void {
    const results = this.runs.get(event.runId);
    if (!results) {
      const queue = this.buffered.get(event.runId) ?? [];
      queue.push(event);
      this.buffered.set(event.runId, queue.slice(-1000));
      // Runs started elsewhere are never claimed: keep only the newest few buffers.
      if (this.buffered.size > 20) this.buffered.delete(this.buffered.keys().next().value!);
      return;
    }
    this.dispatch(results, event);
  }

  private dispatch(results: RunProgress, event: RunEvent): void {
    const touched = results.apply(event);
    this.options.onRunChanged(results, touched, event);
  }

  private socket?: WebSocket;
  private disposed = false;
  private readonly buffered = new Map<string, RunEvent[]>();
  private readonly options: RunController.IOptions;
}

export namespace RunController {
  export interface IOptions {
    onRunStarted: (results: RunProgress, path: string) => void;
    onRunChanged: (results: RunProgress, steps: string[], event: RunEvent) => void;
  }
}
