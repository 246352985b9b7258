import type { MetricValue, RunEvent, StepErrorEvent, StepState } from '@cellpipe/core';

interface StepRow {
  name: string;
  state: StepState;
  /** Wall-clock time the step started running here, to show a live elapsed time. */
  runningSince?: number;
  elapsedMs?: number;
  reason?: string;
}

/** The state of a run as the CLI shows it, folded from its events; rendering is separate from terminal handling. */
export class RunView {
  readonly steps = new Map<string, StepRow>();
  readonly errors: StepErrorEvent[] = [];
  notebook = '';
  runId = '';
  finished?: Extract<RunEvent, { type: 'run-finished' }>;

  apply(event: RunEvent, now = Date.now()): void {
    switch (event.type) {
      case 'run-started':
        this.notebook = event.notebook;
        this.runId = event.runId;
        for (const step of event.steps) this.steps.set(step.name, { name: step.name, state: 'pending' });
        break;
      case 'step-state': {
        const row = this.steps.get(event.step) ?? { name: event.step, state: event.state };
        row.state = event.state;
        row.reason = event.reason;
        if (event.state === 'running') row.runningSince = now - (event.elapsedMs ?? 0);
        if (event.elapsedMs !== undefined) row.elapsedMs = event.elapsedMs;
        this.steps.set(event.step, row);
        break;
      }
      case 'step-error':
        this.errors.push(event);
        break;
      case 'run-finished':
        this.finished = event;
        break;
      default:
        break;
    }
  }

  /** The live table: one row per step with its state and elapsed time. */
  table(now = Date.now()): string {
    const rows = [...this.steps.values()].map((row) => [row.name, row.state, this.elapsed(row, now), row.reason ?? '']);
    return formatTable(['STEP', 'STATE', 'ELAPSED', ''], rows);
  }

  /** One line for a state change, for logs and pipes where the table cannot be redrawn. */
  static line(event: RunEvent): string | undefined {
    switch (event.type) {
      case 'run-started':
        return `run ${event.runId}: ${event.steps.length} steps from ${event.notebook}`;
      case 'step-state': {
        const elapsed =
          event.elapsedMs !== undefined && event.state !== 'running' ? ` (${seconds(event.elapsedMs)})` : '';
        return `${event.step}: ${event.state}${elapsed}${event.reason ? `: ${event.reason}` : ''}`;
      }
      case 'run-finished':
        return `run ${event.state} in ${seconds(event.elapsedMs)}${event.recordPath ? `; record: ${event.recordPath}` : ''}`;
      default:
        return undefined;
    }
  }

  /** Final metric values, one row per step and metric; empty when no step reported any. */
  metricsTable(): string {
    const metrics = this.finished?.metrics ?? {};
    const rows = Object.entries(metrics).flatMap(([step, values]) =>
      Object.entries(values).map(([name, value]) => [step, name, formatMetric(value)]),
    );
    return rows.length === 0 ? '' : formatTable(['STEP', 'METRIC', 'VALUE'], rows);
  }

  /** Each failed step's error with its notebook cell and mapped traceback, for stderr. */
  errorReport(): string {
    return this.errors
      .map((error) => {
        const where =
          error.cellIndex !== undefined
            ? `\n  in cell ${error.cellIndex}${error.cellId ? ` (id ${error.cellId})` : ''}${error.line !== undefined ? `, line ${error.line}` : ''}`
            : '';
        const traceback = error.traceback.trimEnd();
        return `step '${error.step}' failed: ${error.errorType}: ${error.message}${where}${traceback ? `\n${traceback}` : ''}\n`;
      })
      .join('\n');
  }

  private elapsed(row: StepRow, now: number): string {
    if (row.state === 'running' && row.runningSince !== undefined) return seconds(now - row.runningSince);
    return row.elapsedMs !== undefined ? seconds(row.elapsedMs) : '';
  }
}

/** Splits streamed text into whole lines per step and stream, so each printed line gets its step prefix. */
export class LogPrefixer {
  private readonly partial = new Map<string, string>();

  push(step: string, stream: string, text: string): string[] {
    const key = `${step}\0${stream}`;
    const lines = ((this.partial.get(key) ?? '') + text).split('\n');
    this.partial.set(key, lines.pop() ?? '');
    return lines.map((line) => `${step} | ${line}`);
  }

  flush(): string[] {
    const rest = [...this.partial.entries()].filter(([, text]) => text.length > 0);
    this.partial.clear();
    return rest.map(([key, text]) => `${key.split('\0')[0]} | ${text}`);
  }
}

export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const format = (cells: string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [format(header), ...rows.map(format)].join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
}

function formatMetric(value: MetricValue): string {
  return typeof value === 'number' && !Number.isInteger(value) ? String(Number(value.toPrecision(6))) : String(value);
}
