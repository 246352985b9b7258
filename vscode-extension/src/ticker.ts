import type * as vscode from 'vscode';
import type { RunStore } from './runs.js';

/** Calls `onTick` once a second while any run is going, so elapsed times tick between events. */
export class RunTicker implements vscode.Disposable {
  private timer?: ReturnType<typeof setInterval>;

  constructor(private readonly options: RunTicker.IOptions) {}

  /** Starts or stops the timer to match whether a run is going now; call on every change of the runs. */
  update(): void {
    const running = this.options.runs.running;
    if (running && !this.timer) this.timer = setInterval(this.options.onTick, 1000);
    if (!running && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

export namespace RunTicker {
  export interface IOptions {
    runs: RunStore;
    onTick: () => void;
  }
}
